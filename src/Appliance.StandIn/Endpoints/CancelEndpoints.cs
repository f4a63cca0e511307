using System.Text.Json.Nodes;

namespace Appliance.StandIn;

/// <summary>
/// DELETE /v1/order (uuid or identifier; answers the order as it was, state "wait", as Upbit's cancel
/// acceptance does), DELETE /v1/orders/uuids (≤20 uuids[] or identifiers[]), DELETE /v1/orders/open
/// (group order-cancel-all; cancel_side all|ask|bid, pairs or quote_currencies, excluded_pairs, count ≤300
/// default 20, order_by) — both answering {success:{count,orders:[{uuid,market,identifier}]}, failed:{…}}
/// (docs-e "order-list-cancel", "batch-order-cancel") — and POST /v1/orders/cancel_and_new (group order;
/// the cancelled order plus new_order_uuid and new_order_identifier; docs "취소 후 재주문", ccxt editOrder).
/// Only orders in wait can be cancelled; any other state is 404 order_not_found (inferred).
/// </summary>
internal static class CancelEndpoints
{
    public static IEnumerable<Endpoint> All() =>
    [
        Endpoint.Delete("/v1/order", CancelOne),
        Endpoint.Delete("/v1/orders/uuids", CancelByIds),
        Endpoint.Delete("/v1/orders/open", CancelOpen, group: "order-cancel-all"),
        Endpoint.Post("/v1/orders/cancel_and_new", CancelAndNew, group: "order"),
    ];

    private static Order Waiting(Order o) =>
        o.State == "wait" ? o : throw OrderEndpoints.NotFound($"uuid '{o.Uuid}' in state wait (it is {o.State})");

    private static Answer CancelOne(Call c)
    {
        var order = Waiting(OrderEndpoints.Find(c, c.Args.Get("uuid"), c.Args.Get("identifier")));
        return Answer.Ok(Matching.Cancel(c.State, order));
    }

    private static Answer CancelByIds(Call c)
    {
        var (uuids, identifiers) = OrderQueryEndpoints.Ids(c.Args, max: 20);
        var success = new List<Order>();
        var failed = new JsonArray();
        foreach (var (uuid, identifier) in uuids.Select(u => ((string?)u, (string?)null)).Concat(identifiers.Select(i => ((string?)null, (string?)i))))
        {
            var order = uuid is not null
                ? c.State.OrdersByUuid.GetValueOrDefault(uuid)
                : c.State.Orders.FirstOrDefault(o => o.Identifier == identifier);
            if (order is not null && order.PocketUuid == c.Pocket.Uuid && order.State == "wait")
            {
                Matching.Cancel(c.State, order);
                success.Add(order);
            }
            else
            {
                failed.Add(new JsonObject { ["uuid"] = order?.Uuid ?? uuid, ["market"] = order?.Market.Id, ["identifier"] = order?.Identifier ?? identifier });
            }
        }

        return Answer.Ok(Result(success, failed));
    }

    private static Answer CancelOpen(Call c)
    {
        var side = c.Args.OneOf("cancel_side", "all", "ask", "bid") ?? "all";
        var pairs = Csv(c.Args.Get("pairs"), "pairs");
        var excluded = Csv(c.Args.Get("excluded_pairs"), "excluded_pairs");
        var quotes = Csv(c.Args.Get("quote_currencies"), "quote_currencies");
        if (pairs.Count > 0 && quotes.Count > 0)
        {
            throw UpbitRejection.Validation("pairs and quote_currencies cannot be combined; send one of them");
        }

        var count = c.Args.Int("count", 20, 1, 300);
        var targets = c.State.Orders.Where(o =>
            o.PocketUuid == c.Pocket.Uuid && o.State == "wait"
            && (side == "all" || o.Side == side)
            && (pairs.Count == 0 || pairs.Contains(o.Market.Id))
            && (quotes.Count == 0 || quotes.Contains(o.Market.Quote))
            && !excluded.Contains(o.Market.Id));
        var chosen = (c.Args.Ascending() ? targets : targets.Reverse()).Take(count).ToList();
        foreach (var order in chosen)
        {
            Matching.Cancel(c.State, order);
        }

        return Answer.Ok(Result(chosen, []));
    }

    private static Answer CancelAndNew(Call c)
    {
        var a = c.Args;
        var prevIdentifier = a.Get("prev_order_identifier");
        var prev = Waiting(OrderEndpoints.Find(c, a.Get("prev_order_uuid"), prevIdentifier, "prev_order_uuid"));
        var newIdentifier = a.Get("new_identifier");
        if (newIdentifier is not null && newIdentifier == (prevIdentifier ?? prev.Identifier))
        {
            throw UpbitRejection.Validation("new_identifier must differ from the cancelled order's identifier; send a fresh one");
        }

        OrderEndpoints.UseIdentifier(c.State, newIdentifier, "new_identifier");
        var ordType = a.Required("new_ord_type");
        decimal? volume;
        if (a.Get("new_volume") == "remain_only")
        {
            if (ordType == "price" || (ordType == "best" && prev.IsBid))
            {
                throw UpbitRejection.Validation("new_volume=remain_only works for limit, market sell and best sell orders only; send a number");
            }

            volume = prev.RemainingVolume;
        }
        else
        {
            volume = a.Positive("new_volume");
        }

        var draft = OrderDraft.Validate(prev.Market, prev.Side, ordType, a.Positive("new_price"), volume,
            a.Get("new_time_in_force"), a.Get("new_smp_type"), newIdentifier, prefix: "new_");
        Matching.CheckMinTotal(draft);

        // As on Upbit, the new order is placed only after the old one is cancelled; a new order that
        // then fails (funds) leaves the old one cancelled.
        var answer = Matching.Cancel(c.State, prev);
        var next = Matching.Place(c.State, c.Pocket, draft, execute: true);
        answer["new_order_uuid"] = next.Uuid;
        answer["new_order_identifier"] = next.Identifier;
        return Answer.Created(answer);
    }

    private static JsonObject Result(IReadOnlyList<Order> success, JsonArray failed) => new()
    {
        ["success"] = new JsonObject
        {
            ["count"] = success.Count,
            ["orders"] = new JsonArray([.. success.Select(o => (JsonNode)new JsonObject
            {
                ["uuid"] = o.Uuid,
                ["market"] = o.Market.Id,
                ["identifier"] = o.Identifier,
            })]),
        },
        ["failed"] = new JsonObject { ["count"] = failed.Count, ["orders"] = failed },
    };

    private static HashSet<string> Csv(string? value, string name)
    {
        if (value is null)
        {
            return [];
        }

        var items = value.Split(',', StringSplitOptions.TrimEntries);
        if (items.Any(i => i.Length == 0) || items.Length > 20)
        {
            throw UpbitRejection.Validation($"{name} must be 1 to 20 comma-separated values without blanks, e.g. KRW-BTC,KRW-ETH");
        }

        return [.. items];
    }
}
