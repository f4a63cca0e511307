namespace Appliance.Streams;

/// <summary>
/// At most N events in any sliding window, for every (N, window) given: Upbit's WebSocket limits, which are
/// 5 connects per second (per IP), and 5 messages per second and 100 per minute on one connection. A caller
/// waits (on the TimeProvider) for its turn rather than being refused: what it sends is the appliance's own.
/// </summary>
internal sealed class WindowPacer
{
    private readonly TimeProvider _time;
    private readonly (int Count, TimeSpan Window)[] _limits;
    private readonly Queue<DateTimeOffset> _recent = new();
    private readonly TimeSpan _longest;
    private readonly Lock _lock = new();

    public WindowPacer(TimeProvider time, params (int Count, TimeSpan Window)[] limits)
    {
        if (limits.Length == 0 || limits.Any(l => l.Count < 1 || l.Window <= TimeSpan.Zero))
            throw new ArgumentException("Give at least one limit, each of one or more events in a positive window.", nameof(limits));
        (_time, _limits, _longest) = (time, limits, limits.Max(l => l.Window));
    }

    /// <summary>Upbit's connect limit: <paramref name="perSecond"/> connects in any second.</summary>
    public static WindowPacer Connects(TimeProvider time, int perSecond) => new(time, (perSecond, TimeSpan.FromSeconds(1)));

    /// <summary>
    /// Upbit's message limit on one WebSocket connection (5/s, 100/min), kept with a margin (4/s, 90/min) since
    /// Upbit's clock starts its windows, not ours.
    /// </summary>
    public static WindowPacer Messages(TimeProvider time) => new(time, (4, TimeSpan.FromSeconds(1)), (90, TimeSpan.FromMinutes(1)));

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_lock)
            {
                var now = _time.GetUtcNow();
                while (_recent.TryPeek(out var at) && now - at >= _longest) _recent.Dequeue();
                wait = TimeSpan.Zero;
                foreach (var (count, window) in _limits)
                {
                    // The events inside this window are the newest ones; the count-th newest decides the wait.
                    var inside = _recent.Where(at => now - at < window).ToList();
                    if (inside.Count >= count) wait = TimeSpan.FromTicks(Math.Max(wait.Ticks, (inside[^count] + window - now).Ticks));
                }
                if (wait <= TimeSpan.Zero)
                {
                    _recent.Enqueue(now);
                    return;
                }
            }
            await Task.Delay(wait, _time, cancellationToken);
        }
    }
}
