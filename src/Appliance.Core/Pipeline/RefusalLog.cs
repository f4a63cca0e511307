using Microsoft.Extensions.Logging;

namespace Appliance.Pipeline;

/// <summary>
/// The pipeline's fourth observer: one log line per refusal at most, and per (bot, reason) at most one
/// line a window; repeats are counted and summarised when the window closes. A misbehaving bot cannot
/// fill the journal (every refusal is in the audit log and the metrics anyway).
/// </summary>
public sealed class RefusalLog(ILogger logger, TimeProvider time, TimeSpan? window = null) : IDecisionObserver
{
    private const int MaxKeys = 1_000;
    private readonly TimeSpan _window = window ?? TimeSpan.FromMinutes(1);
    private readonly Dictionary<(string Bot, string Reason), (DateTimeOffset Since, int Suppressed)> _seen = new();
    private readonly Lock _lock = new();
    private int _unknownPeers;
    private DateTimeOffset _unknownSince;

    public void Observe(SignDecision decision, TimeSpan elapsed)
    {
        if (decision.Outcome is not (Outcome.Denied or Outcome.Failed) || decision.Reason is not { } reason) return;
        var now = time.GetUtcNow();
        int suppressed;
        lock (_lock)
        {
            var key = (decision.Bot, reason);
            if (_seen.TryGetValue(key, out var entry) && now - entry.Since < _window)
            {
                _seen[key] = (entry.Since, entry.Suppressed + 1);
                return;
            }
            if (_seen.Count >= MaxKeys) Prune(now);
            suppressed = entry.Suppressed;
            _seen[key] = (now, 0);
        }
        logger.LogInformation("refused {Reason} for bot {Bot} on {Endpoint}{Repeats}", reason, decision.Bot,
            decision.Endpoint?.ToString() ?? "an unknown endpoint", suppressed > 0 ? $" (and {suppressed} more like it in the last window)" : "");
    }

    public void UnknownPeer()
    {
        var now = time.GetUtcNow();
        int count;
        lock (_lock)
        {
            _unknownPeers++;
            if (now - _unknownSince < _window) return;
            (count, _unknownPeers, _unknownSince) = (_unknownPeers, 0, now);
        }
        logger.LogWarning("refused {Count} request(s) from peers that are not bots of this appliance", count);
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var key in _seen.Where(p => now - p.Value.Since >= _window).Select(p => p.Key).ToList()) _seen.Remove(key);
        if (_seen.Count >= MaxKeys) _seen.Clear(); // a flood of distinct keys: forget rather than grow
    }
}
