using System.Text.Json.Nodes;

namespace Appliance.StandIn;

/// <summary>
/// Deposits. GET /v1/deposits, GET /v1/deposit (uuid or txid; none → latest), POST /v1/deposits/krw
/// (amount, two_factor_type; the deposit stays PROCESSING, like a KRW deposit waiting for 2FA), GET
/// /v1/deposits/chance/coin, GET /v1/deposits/coin_addresses, GET /v1/deposits/coin_address (currency,
/// net_type), POST /v1/deposits/generate_coin_address (first call: {success, message} while the address
/// is "being created", as Upbit answers; afterwards the address object). Deposit object per ccxt
/// parseTransaction and docs "입금 조회": type, uuid, currency, net_type, txid, state, created_at,
/// done_at, amount, fee, transaction_type. Coin deposits arrive only through <see cref="StandInExchange.AddDeposit"/>.
/// </summary>
internal static class DepositEndpoints
{
    public static IEnumerable<Endpoint> All() =>
    [
        Endpoint.Get("/v1/deposits", List),
        Endpoint.Get("/v1/deposit", c => Answer.Ok(Json(Find(c)))),
        Endpoint.Post("/v1/deposits/krw", Krw) with { Scope = PocketScope.MainOnly },
        Endpoint.Get("/v1/deposits/chance/coin", Chance),
        Endpoint.Get("/v1/deposits/coin_addresses", c => Answer.Ok(new JsonArray([.. c.State.DepositAddresses.Select(a => (JsonNode)Address(a.Key, a.Value))]))),
        Endpoint.Get("/v1/deposits/coin_address", OneAddress),
        Endpoint.Post("/v1/deposits/generate_coin_address", Generate) with { Scope = PocketScope.MainOnly },
    ];

    public static JsonObject Json(Deposit d) => new()
    {
        ["type"] = "deposit",
        ["uuid"] = d.Uuid,
        ["currency"] = d.Currency,
        ["net_type"] = d.NetType,
        ["txid"] = d.Txid,
        ["state"] = d.State,
        ["created_at"] = Wire.Time(d.CreatedAt),
        ["done_at"] = Wire.Time(d.DoneAt),
        ["amount"] = Wire.Num(d.Amount),
        ["fee"] = "0",
        ["transaction_type"] = "default",
    };

    private static Answer Krw(Call c)
    {
        var amount = c.Args.RequiredPositive("amount");
        if (c.Args.OneOf("two_factor_type", "kakao", "naver", "hana") is null)
        {
            throw UpbitRejection.Missing("two_factor_type");
        }

        var d = new Deposit { Uuid = c.State.NewUuid(), Currency = "KRW", NetType = null, Txid = c.State.NewUuid(), Amount = amount, CreatedAt = c.Now };
        c.State.Deposits.Add(d);
        return Answer.Created(Json(d));
    }

    private static Answer List(Call c)
    {
        var currency = c.Args.Get("currency");
        var state = c.Args.Get("state");
        var uuids = c.Args.All("uuids[]");
        var txids = c.Args.All("txids[]");
        var limit = c.Args.Int("limit", 100, 1, 100);
        var page = c.Args.Int("page", 1, 1, int.MaxValue);
        var found = c.State.Deposits.Where(d =>
            (currency is null || d.Currency == currency) && (state is null || string.Equals(d.State, state, StringComparison.OrdinalIgnoreCase))
            && (uuids.Count == 0 || uuids.Contains(d.Uuid)) && (txids.Count == 0 || txids.Contains(d.Txid)));
        var ordered = c.Args.Ascending() ? found : found.Reverse();
        return Answer.Ok(new JsonArray([.. ordered.Skip((page - 1) * limit).Take(limit).Select(d => (JsonNode)Json(d))]));
    }

    private static Deposit Find(Call c)
    {
        var uuid = c.Args.Get("uuid");
        var txid = c.Args.Get("txid");
        if (uuid is null && txid is null)
        {
            return c.State.Deposits.LastOrDefault() ?? throw UpbitRejection.NotFound("there are no deposits yet");
        }

        return c.State.Deposits.FirstOrDefault(d => uuid is not null ? d.Uuid == uuid : d.Txid == txid)
            ?? throw UpbitRejection.NotFound($"no deposit with {(uuid is not null ? $"uuid '{uuid}'" : $"txid '{txid}'")}; list them with GET /v1/deposits");
    }

    private static Answer Chance(Call c) => Answer.Ok(new JsonObject
    {
        ["currency"] = c.Args.Required("currency"),
        ["net_type"] = c.Args.Required("net_type"),
        ["is_deposit_possible"] = true,
        ["deposit_impossible_reason"] = null,
        ["minimum_deposit_amount"] = "0",
        ["minimum_deposit_confirmations"] = 1,
        ["decimal_precision"] = 8,
    });

    private static Answer OneAddress(Call c)
    {
        var key = (c.Args.Required("currency"), c.Args.Required("net_type"));
        return c.State.DepositAddresses.TryGetValue(key, out var address)
            ? Answer.Ok(Address(key, address))
            : throw UpbitRejection.NotFound($"no {key.Item1}/{key.Item2} deposit address yet; create one with POST /v1/deposits/generate_coin_address");
    }

    private static Answer Generate(Call c)
    {
        var key = (c.Args.Required("currency"), c.Args.Required("net_type"));
        if (c.State.DepositAddresses.TryGetValue(key, out var address))
        {
            return Answer.Created(Address(key, address));
        }

        c.State.DepositAddresses[key] = $"standin-{key.Item1.ToLowerInvariant()}-{c.State.NewUuid()[..8]}-not-upbit";
        return Answer.Created(new JsonObject { ["success"] = true, ["message"] = $"{key.Item1} 입금주소를 생성중입니다." });
    }

    private static JsonObject Address((string Currency, string NetType) key, string address) => new()
    {
        ["currency"] = key.Currency,
        ["net_type"] = key.NetType,
        ["deposit_address"] = address,
        ["secondary_address"] = null,
    };
}
