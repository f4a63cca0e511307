namespace Appliance.StandIn;

/// <summary>
/// The Remaining-Req header Upbit puts on every answer: <c>group=default; min=1800; sec=29</c>, where sec
/// is what is left of the group's per-second budget (shared/upbit-api.md §4; min is deprecated and fixed).
/// The stand-in counts but does not enforce: 429s come from fault injection, so tests stay deterministic.
/// </summary>
internal sealed class RemainingReq(TimeProvider time, int scale = 1)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (long Window, int Used)> _used = new(StringComparer.Ordinal);

    public string Next(string group)
    {
        var (limit, windowSeconds) = group switch
        {
            "order" => (12, 1),
            "order-test" => (8, 1),
            "order-cancel-all" => (1, 2),
            "market" or "ticker" or "candle" or "trade" or "orderbook" => (10, 1),
            _ => (30, 1),
        };
        var window = time.GetUtcNow().ToUnixTimeSeconds() / windowSeconds;
        lock (_gate)
        {
            var used = _used.TryGetValue(group, out var entry) && entry.Window == window ? entry.Used + 1 : 1;
            _used[group] = (window, used);
            return $"group={group}; min=1800; sec={Math.Max(0, limit * scale - used)}";
        }
    }
}
