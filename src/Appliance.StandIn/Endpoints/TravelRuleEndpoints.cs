using System.Text.Json.Nodes;

namespace Appliance.StandIn;

/// <summary>
/// Travel rule (docs "verify-travelrule-by-txid", upbit-agent-skills travel-rule.md): GET
/// /v1/travel_rule/vasps ([{vasp_name, vasp_uuid, depositable, withdrawable}]), POST
/// /v1/travel_rule/deposit/uuid (deposit_uuid, vasp_uuid) and /deposit/txid (vasp_uuid, txid, currency,
/// net_type), both answering {deposit_uuid, verification_result, deposit_state}. A deposit in
/// TRAVEL_RULE_SUSPECTED becomes ACCEPTED (and is credited); others keep their state.
/// </summary>
internal static class TravelRuleEndpoints
{
    private static readonly (string Name, string Uuid)[] Vasps =
    [
        ("Stand-in VASP A (not real)", "00000000-5a5a-4000-8000-00000000000a"),
        ("Stand-in VASP B (not real)", "00000000-5a5a-4000-8000-00000000000b"),
    ];

    public static IEnumerable<Endpoint> All() =>
    [
        Endpoint.Get("/v1/travel_rule/vasps", _ => Answer.Ok(new JsonArray([.. Vasps.Select(v => (JsonNode)new JsonObject
        {
            ["vasp_name"] = v.Name,
            ["vasp_uuid"] = v.Uuid,
            ["depositable"] = true,
            ["withdrawable"] = true,
        })]))),
        Endpoint.Post("/v1/travel_rule/deposit/uuid", c => Verify(c, ByUuid(c))) with { Scope = PocketScope.MainOnly },
        Endpoint.Post("/v1/travel_rule/deposit/txid", c => Verify(c, ByTxid(c))) with { Scope = PocketScope.MainOnly },
    ];

    private static Deposit ByUuid(Call c)
    {
        var uuid = c.Args.Required("deposit_uuid");
        return c.State.Deposits.FirstOrDefault(d => d.Uuid == uuid)
            ?? throw UpbitRejection.NotFound($"no deposit with uuid '{uuid}'; list them with GET /v1/deposits");
    }

    private static Deposit ByTxid(Call c)
    {
        var txid = c.Args.Required("txid");
        var currency = c.Args.Required("currency");
        var netType = c.Args.Required("net_type");
        return c.State.Deposits.FirstOrDefault(d => d.Txid == txid && d.Currency == currency && d.NetType == netType)
            ?? throw UpbitRejection.NotFound($"no {currency}/{netType} deposit with txid '{txid}'; list them with GET /v1/deposits");
    }

    private static Answer Verify(Call c, Deposit d)
    {
        var vasp = c.Args.Required("vasp_uuid");
        if (!Vasps.Any(v => v.Uuid == vasp))
        {
            throw UpbitRejection.Validation($"vasp_uuid '{vasp}' is unknown; pick one from GET /v1/travel_rule/vasps");
        }

        if (d.State == "TRAVEL_RULE_SUSPECTED")
        {
            d.State = "ACCEPTED";
            d.DoneAt = c.Now;
            c.State.Main[d.Currency].Balance += d.Amount;
            c.State.PublishAssets(c.State.Main, d.Currency);
        }

        return Answer.Created(new JsonObject
        {
            ["deposit_uuid"] = d.Uuid,
            ["verification_result"] = "verified",
            ["deposit_state"] = d.State,
        });
    }
}
