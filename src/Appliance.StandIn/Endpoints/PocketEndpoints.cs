using System.Text.Json.Nodes;

namespace Appliance.StandIn;

/// <summary>
/// Pockets (docs v1.7.0 "포켓", upbit-agent-skills pockets.md; shared/upbit-api.md §6). The stand-in has
/// one main and one sub-pocket. Main-pocket keys: GET /v1/pockets, /pockets/api_keys (uuids[],
/// include_expired), /pockets/assets (uuid; /pockets/asset accepted too, the docs' diagrams use it),
/// POST|GET /pockets/universal_transfers. Sub-pocket keys: POST|GET /pockets/transfers (to defaults to
/// the main pocket; GET takes direction in|out|all). Transfers complete at once (state done); identifiers
/// are 1-64 of [A-Za-z0-9_.-] and single-use even when the request fails. Response objects are inferred:
/// Upbit's pages show them only in an example widget that was not available here.
/// </summary>
internal static class PocketEndpoints
{
    public static IEnumerable<Endpoint> All() =>
    [
        Endpoint.Get("/v1/pockets", List) with { Scope = PocketScope.MainOnly },
        Endpoint.Get("/v1/pockets/api_keys", ApiKeys) with { Scope = PocketScope.MainOnly },
        Endpoint.Get("/v1/pockets/assets", Assets) with { Scope = PocketScope.MainOnly },
        Endpoint.Get("/v1/pockets/asset", Assets) with { Scope = PocketScope.MainOnly },
        Endpoint.Post("/v1/pockets/universal_transfers", c => Move(c, c.Args.Get("from") ?? c.Pocket.Uuid, c.Args.Required("to"), universal: true)) with { Scope = PocketScope.MainOnly },
        Endpoint.Get("/v1/pockets/universal_transfers", c => History(c, universal: true)) with { Scope = PocketScope.MainOnly },
        Endpoint.Post("/v1/pockets/transfers", c => Move(c, c.Pocket.Uuid, c.Args.Get("to") ?? c.State.Main.Uuid, universal: false)) with { Scope = PocketScope.SubOnly },
        Endpoint.Get("/v1/pockets/transfers", c => History(c, universal: false)) with { Scope = PocketScope.SubOnly },
    ];

    private static Answer List(Call c) =>
        Answer.Ok(new JsonArray([.. c.State.Pockets.Select(p => (JsonNode)new JsonObject
        {
            ["uuid"] = p.Uuid,
            ["name"] = p.Name,
            ["type"] = p.IsMain ? "main" : "sub",
        })]));

    private static Answer ApiKeys(Call c)
    {
        var pockets = c.Args.All("uuids[]");
        c.Args.OneOf("include_expired", "true", "false");
        return Answer.Ok(new JsonArray([.. c.State.Keys
            .Where(k => pockets.Count == 0 || pockets.Contains(k.PocketUuid))
            .OrderBy(k => k.AccessKey, StringComparer.Ordinal)
            .Select(k => (JsonNode)new JsonObject { ["pocket_uuid"] = k.PocketUuid, ["access_key"] = k.AccessKey, ["expire_at"] = Wire.Time(k.ExpireAt) })]));
    }

    private static Answer Assets(Call c)
    {
        var pocket = Pocket(c, c.Args.Required("uuid"), "uuid");
        return Answer.Ok(new JsonArray([.. pocket.Holdings
            .Where(h => h.Key == "KRW" || h.Value.Balance != 0 || h.Value.Locked != 0)
            .Select(h => (JsonNode)new JsonObject
            {
                ["currency"] = h.Key,
                ["balance"] = Wire.Num(h.Value.Balance),
                ["locked"] = Wire.Num(h.Value.Locked),
                ["avg_buy_price"] = Wire.Num(h.Value.AvgBuyPrice),
                ["unit_currency"] = "KRW",
            })]));
    }

    private static Answer Move(Call c, string fromUuid, string toUuid, bool universal)
    {
        var identifier = c.Args.Get("identifier");
        if (identifier is not null)
        {
            if (identifier.Length > 64 || !identifier.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '_' or '.' or '-'))
            {
                throw UpbitRejection.Validation($"identifier '{identifier}' must be 1-64 letters, digits, '_', '.' or '-'");
            }

            if (!c.State.UsedTransferIdentifiers.Add(identifier))
            {
                throw UpbitRejection.Validation($"identifier '{identifier}' was already used; transfer identifiers are single-use, send a new one");
            }
        }

        var currency = c.Args.Required("currency");
        var amount = c.Args.RequiredPositive("amount");
        var from = Pocket(c, fromUuid, "from");
        var to = Pocket(c, toUuid, "to");
        if (from == to)
        {
            throw UpbitRejection.Validation("from and to are the same pocket; transfer between two different pockets");
        }

        if (from[currency].Balance < amount)
        {
            throw new UpbitRejection(400, UpbitErrorNames.InsufficientFunds, $"이전가능한 금액({currency})이 부족합니다.",
                $"moving {Wire.Num(amount)} {currency} from '{from.Name}', which has {Wire.Num(from[currency].Balance)} available");
        }

        from[currency].Balance -= amount;
        to[currency].Balance += amount;
        var transfer = new PocketTransfer(c.State.NewUuid(), identifier, from.Uuid, to.Uuid, currency, amount, "done", c.Now, universal);
        c.State.Transfers.Add(transfer);
        c.State.PublishAssets(from, currency);
        c.State.PublishAssets(to, currency);
        return Answer.Created(Json(transfer));
    }

    private static Answer History(Call c, bool universal)
    {
        var a = c.Args;
        var (from, to, currency) = (a.Get("from"), a.Get("to"), a.Get("currency"));
        var direction = universal ? "all" : a.OneOf("direction", "in", "out", "all") ?? "all";
        var (states, uuids, ids) = (a.All("states[]"), a.All("uuids[]"), a.All("identifiers[]"));
        var limit = a.Int("limit", 20, 1, 100);
        var mine = c.Pocket.Uuid;
        var found = c.State.Transfers.Where(t =>
            t.Universal == universal
            && (universal || (direction == "in" ? t.To == mine : direction == "out" ? t.From == mine : t.To == mine || t.From == mine))
            && (from is null || t.From == from) && (to is null || t.To == to) && (currency is null || t.Currency == currency)
            && (states.Count == 0 || states.Contains(t.State)) && (uuids.Count == 0 || uuids.Contains(t.Uuid))
            && (ids.Count == 0 || (t.Identifier is not null && ids.Contains(t.Identifier))));
        var ordered = a.Ascending() ? found : found.Reverse();
        return Answer.Ok(new JsonArray([.. ordered.Take(limit).Select(t => (JsonNode)Json(t))]));
    }

    private static Pocket Pocket(Call c, string uuid, string field) =>
        c.State.PocketByUuid(uuid) ?? throw UpbitRejection.Validation($"{field} '{uuid}' is not a pocket of this account; list them with GET /v1/pockets");

    private static JsonObject Json(PocketTransfer t) => new()
    {
        ["uuid"] = t.Uuid,
        ["identifier"] = t.Identifier,
        ["from"] = t.From,
        ["to"] = t.To,
        ["currency"] = t.Currency,
        ["amount"] = Wire.Num(t.Amount),
        ["state"] = t.State,
        ["created_at"] = Wire.Time(t.CreatedAt),
    };
}
