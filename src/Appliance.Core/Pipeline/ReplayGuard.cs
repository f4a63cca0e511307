using Appliance.Common;

namespace Appliance.Pipeline;

/// <summary>
/// Remembers each bot's request ids for as long as a request carrying them could still pass the
/// clock-skew check (twice the skew, plus a second). Older ids need no memory: their client_time
/// is refused anyway. Bounded per bot; when a bot fills its window the request is refused rather
/// than an id forgotten early, which would reopen a replay.
/// </summary>
public sealed class ReplayGuard
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _window;
    private readonly int _capacityPerBot;
    private readonly Dictionary<string, BotWindow> _bots = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public ReplayGuard(TimeProvider time, TimeSpan skew, int capacityPerBot = 100_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(capacityPerBot, 0);
        _time = time;
        _window = skew + skew + TimeSpan.FromSeconds(1);
        _capacityPerBot = capacityPerBot;
    }

    /// <summary>Records the id, or throws ALREADY_EXISTS if this bot used it within the window.</summary>
    public void Admit(string bot, string requestId)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            if (!_bots.TryGetValue(bot, out var window))
                _bots[bot] = window = new BotWindow();
            window.Expire(now - _window);
            if (window.Seen.Contains(requestId))
                throw Refusals.ReplayedRequest(requestId);
            if (window.Seen.Count >= _capacityPerBot)
                throw Refusals.RateLimited($"More than {_capacityPerBot} requests within {_window.TotalSeconds:0} s", TimeSpan.FromSeconds(1));
            window.Seen.Add(requestId);
            window.Order.Enqueue((now, requestId));
        }
    }

    private sealed class BotWindow
    {
        public HashSet<string> Seen { get; } = new(StringComparer.Ordinal);
        public Queue<(DateTimeOffset At, string Id)> Order { get; } = new();

        public void Expire(DateTimeOffset before)
        {
            while (Order.TryPeek(out var head) && head.At < before)
            {
                Order.Dequeue();
                Seen.Remove(head.Id);
            }
        }
    }
}
