using System.Text.Json.Nodes;

namespace Appliance.StandIn;

/// <summary>
/// GET /v1/orders/open (state/states[] wait|watch, page, limit ≤100), GET /v1/orders/closed (state/states[]
/// done|cancel, start_time/end_time as ISO 8601 or ms, a window of at most 7 days, default the last 7 days,
/// limit ≤1000), GET /v1/orders/uuids (uuids[] or identifiers[], ≤100). Newest first unless order_by=asc.
/// Parameters per docs "체결 대기 주문 조회", "종료 주문 조회", "id로 주문 목록 조회" and upbit-agent-skills orders.md.
/// </summary>
internal static class OrderQueryEndpoints
{
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);

    public static IEnumerable<Endpoint> All() =>
    [
        Endpoint.Get("/v1/orders/open", Open),
        Endpoint.Get("/v1/orders/closed", Closed),
        Endpoint.Get("/v1/orders/uuids", ByIds),
    ];

    private static Answer Open(Call c)
    {
        var states = States(c.Args, ["wait"], "wait", "watch");
        var limit = c.Args.Int("limit", 100, 1, 100);
        var page = c.Args.Int("page", 1, 1, int.MaxValue);
        var orders = Mine(c).Where(o => states.Contains(o.State));
        return List(Sort(c, orders).Skip((page - 1) * limit).Take(limit));
    }

    private static Answer Closed(Call c)
    {
        var states = States(c.Args, ["done", "cancel"], "done", "cancel");
        var limit = c.Args.Int("limit", 100, 1, 1000);
        var start = c.Args.Time("start_time");
        var end = c.Args.Time("end_time");
        var now = c.Now;
        var (from, to) = (start, end) switch
        {
            ({ } s, { } e) => (s, e),
            ({ } s, null) => (s, s + Week),
            (null, { } e) => (e - Week, e),
            _ => (now - Week, now),
        };
        if (to < from || to - from > Week)
        {
            throw UpbitRejection.Validation("start_time..end_time must be a window of at most 7 days, start before end; narrow the range");
        }

        var orders = Mine(c).Where(o => states.Contains(o.State) && o.CreatedAt >= from && o.CreatedAt <= to);
        return List(Sort(c, orders).Take(limit));
    }

    private static Answer ByIds(Call c)
    {
        var (uuids, identifiers) = Ids(c.Args, max: 100);
        var orders = Mine(c).Where(o => uuids.Contains(o.Uuid) || (o.Identifier is not null && identifiers.Contains(o.Identifier)));
        return List(Sort(c, orders));
    }

    /// <summary>uuids[] or identifiers[], not both, at most <paramref name="max"/>; shared with DELETE /v1/orders/uuids.</summary>
    public static (IReadOnlyList<string> Uuids, IReadOnlyList<string> Identifiers) Ids(RequestArgs a, int max)
    {
        var uuids = a.All("uuids[]");
        var identifiers = a.All("identifiers[]");
        if (uuids.Count == 0 && identifiers.Count == 0)
        {
            throw UpbitRejection.Missing("uuids[]");
        }

        if (uuids.Count > 0 && identifiers.Count > 0)
        {
            throw UpbitRejection.Validation("send uuids[] or identifiers[], not both");
        }

        if (uuids.Count + identifiers.Count > max)
        {
            throw UpbitRejection.Validation($"at most {max} ids per request; split the list");
        }

        return (uuids, identifiers);
    }

    private static HashSet<string> States(RequestArgs a, string[] fallback, params string[] allowed)
    {
        var one = a.OneOf("state", allowed);
        var many = a.All("states[]");
        foreach (var s in many.Where(s => !allowed.Contains(s)))
        {
            throw UpbitRejection.Validation($"states[] '{s}' is not valid here; use {string.Join(" or ", allowed)}");
        }

        if (one is not null && many.Count > 0)
        {
            throw UpbitRejection.Validation("send state or states[], not both");
        }

        return [.. one is not null ? [one] : many.Count > 0 ? many : fallback];
    }

    private static IEnumerable<Order> Mine(Call c)
    {
        var market = c.Args.Get("market");
        return c.State.Orders.Where(o => o.PocketUuid == c.Pocket.Uuid && (market is null || o.Market.Id == market));
    }

    private static IEnumerable<Order> Sort(Call c, IEnumerable<Order> orders) =>
        c.Args.Ascending() ? orders : orders.Reverse();

    private static Answer List(IEnumerable<Order> orders) =>
        Answer.Ok(new JsonArray([.. orders.Select(o => (JsonNode)OrderJson.Rest(o))]));
}
