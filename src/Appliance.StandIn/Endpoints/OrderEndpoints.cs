using System.Text.Json.Nodes;

namespace Appliance.StandIn;

/// <summary>
/// POST /v1/orders (group order, 201 + the order object), POST /v1/orders/test (group order-test:
/// validated like a real order, answered with a fake order, nothing stored, identifier not used up),
/// GET /v1/orders/chance, GET /v1/order (order + trades). Identifiers are unique forever: one that was
/// ever sent to POST /v1/orders — even on a request that then failed — is 400 on reuse (docs "주문 생성").
/// </summary>
internal static class OrderEndpoints
{
    public static IEnumerable<Endpoint> All() =>
    [
        Endpoint.Post("/v1/orders", Create, group: "order"),
        Endpoint.Post("/v1/orders/test", Test, group: "order-test"),
        Endpoint.Get("/v1/orders/chance", Chance),
        Endpoint.Get("/v1/order", c => Answer.Ok(OrderJson.Rest(Find(c, c.Args.Get("uuid"), c.Args.Get("identifier")), withTrades: true))),
    ];

    /// <summary>Marks an order identifier used; 400 if it ever was.</summary>
    public static void UseIdentifier(ExchangeState s, string? identifier, string field = "identifier")
    {
        if (identifier is not null && !s.UsedOrderIdentifiers.Add(identifier))
        {
            throw UpbitRejection.Validation(
                $"{field} '{identifier}' was already used; identifiers are single-use forever (even after a failed order), send a new one");
        }
    }

    /// <summary>An order of the caller's pocket by uuid (preferred, as Upbit does) or identifier; 404 order_not_found otherwise.</summary>
    public static Order Find(Call c, string? uuid, string? identifier, string uuidField = "uuid")
    {
        if (uuid is null && identifier is null)
        {
            throw UpbitRejection.Missing(uuidField);
        }

        var order = uuid is not null
            ? c.State.OrdersByUuid.GetValueOrDefault(uuid)
            : c.State.Orders.FirstOrDefault(o => o.Identifier == identifier);
        return order is not null && order.PocketUuid == c.Pocket.Uuid
            ? order
            : throw NotFound(uuid is not null ? $"uuid '{uuid}'" : $"identifier '{identifier}'");
    }

    public static UpbitRejection NotFound(string what) =>
        new(404, UpbitErrorNames.OrderNotFound, "주문을 찾지 못했습니다.", $"no order with {what} in this pocket; check the id (list with GET /v1/orders/open)");

    private static Answer Create(Call c)
    {
        UseIdentifier(c.State, c.Args.Get("identifier"));
        var draft = OrderDraft.FromOrderParams(c.Args, c.State);
        return Answer.Created(OrderJson.Rest(Matching.Place(c.State, c.Pocket, draft, execute: true)));
    }

    private static Answer Test(Call c)
    {
        // A test order checks the identifier but does not use it up: nothing is stored.
        if (c.Args.Get("identifier") is { } identifier && c.State.UsedOrderIdentifiers.Contains(identifier))
        {
            UseIdentifier(c.State, identifier);
        }

        var draft = OrderDraft.FromOrderParams(c.Args, c.State);
        return Answer.Created(OrderJson.Rest(Matching.Place(c.State, c.Pocket, draft, execute: false)));
    }

    private static Answer Chance(Call c)
    {
        var id = c.Args.Required("market");
        var m = c.State.Markets.GetValueOrDefault(id)
            ?? throw UpbitRejection.Validation($"market '{id}' is not listed on the stand-in; use one of: {string.Join(", ", c.State.Markets.Keys)}");
        var fee = Wire.Num(m.FeeRate);
        return Answer.Ok(new JsonObject
        {
            ["bid_fee"] = fee,
            ["ask_fee"] = fee,
            ["maker_bid_fee"] = fee,
            ["maker_ask_fee"] = fee,
            ["market"] = new JsonObject
            {
                ["id"] = m.Id,
                ["name"] = $"{m.Base}/{m.Quote}",
                ["order_types"] = new JsonArray("limit"),
                ["ask_types"] = new JsonArray("limit", "market", "best_fok", "best_ioc", "limit_fok", "limit_ioc"),
                ["bid_types"] = new JsonArray("limit", "price", "best_fok", "best_ioc", "limit_fok", "limit_ioc"),
                ["order_sides"] = new JsonArray("ask", "bid"),
                ["bid"] = new JsonObject { ["currency"] = m.Quote, ["min_total"] = Wire.Num(m.MinTotal) },
                ["ask"] = new JsonObject { ["currency"] = m.Quote, ["min_total"] = Wire.Num(m.MinTotal) },
                ["max_total"] = "1000000000",
                ["state"] = "active",
            },
            ["bid_account"] = AccountEndpoints.Account(m.Quote, c.Pocket[m.Quote]),
            ["ask_account"] = AccountEndpoints.Account(m.Base, c.Pocket[m.Base]),
        });
    }
}
