using Microsoft.Extensions.Logging;

namespace Appliance.Pipeline;

/// <summary>
/// The pipeline's fourth observer: one log line per refusal at most, and per (bot, reason) at most one
/// line a window; repeats are counted and summarised when the window closes, by the next line or, when no
/// next line comes, by a timer, so a burst's count is never held back until the bot misbehaves again.
/// A misbehaving bot cannot fill the journal (every refusal is in the audit log and the metrics anyway).
/// </summary>
public sealed class RefusalLog : IDecisionObserver, IDisposable
{
    private const int MaxKeys = 1_000;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _window;
    private readonly Dictionary<(string Bot, string Reason), (DateTimeOffset Since, int Suppressed)> _seen = new();
    private readonly Lock _lock = new();
    private readonly ITimer _timer;
    private int _unknownPeers;
    private DateTimeOffset _unknownSince;

    public RefusalLog(ILogger logger, TimeProvider time, TimeSpan? window = null)
    {
        (_logger, _time, _window) = (logger, time, window ?? TimeSpan.FromMinutes(1));
        // A quarter window: a summary comes at most 1.25 windows after the line it summarises.
        var tick = _window / 4;
        _timer = time.CreateTimer(_ => Flush(), null, tick, tick);
    }

    public void Observe(SignDecision decision, TimeSpan elapsed)
    {
        if (decision.Outcome is not (Outcome.Denied or Outcome.Failed) || decision.Reason is not { } reason) return;
        var now = _time.GetUtcNow();
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
        _logger.LogInformation("refused {Reason} for bot {Bot} on {Endpoint}{Repeats}", reason, decision.Bot,
            decision.Endpoint?.ToString() ?? "an unknown endpoint", suppressed > 0 ? $" (and {suppressed} more like it in the last window)" : "");
    }

    public void UnknownPeer()
    {
        var now = _time.GetUtcNow();
        int count;
        lock (_lock)
        {
            _unknownPeers++;
            if (now - _unknownSince < _window) return;
            (count, _unknownPeers, _unknownSince) = (_unknownPeers, 0, now);
        }
        _logger.LogWarning("refused {Count} request(s) from peers that are not bots of this appliance", count);
    }

    /// <summary>The timer: summarises every (bot, reason) whose window has closed with repeats, and the unknown peers.</summary>
    private void Flush()
    {
        var now = _time.GetUtcNow();
        List<(string Bot, string Reason, int Count)> due = [];
        var unknown = 0;
        lock (_lock)
        {
            foreach (var (key, entry) in _seen)
                if (now - entry.Since >= _window && entry.Suppressed > 0) due.Add((key.Bot, key.Reason, entry.Suppressed));
            // The summary is this window's line: repeats in the next window are counted again.
            foreach (var (bot, reason, _) in due) _seen[(bot, reason)] = (now, 0);
            Prune(now);
            if (_unknownPeers > 0 && now - _unknownSince >= _window) (unknown, _unknownPeers, _unknownSince) = (_unknownPeers, 0, now);
        }
        foreach (var (bot, reason, count) in due)
            _logger.LogInformation("refused {Reason} for bot {Bot} (and {Count} more like it in the last window)", reason, bot, count);
        if (unknown > 0) _logger.LogWarning("refused {Count} request(s) from peers that are not bots of this appliance", unknown);
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var key in _seen.Where(p => now - p.Value.Since >= _window && p.Value.Suppressed == 0).Select(p => p.Key).ToList()) _seen.Remove(key);
        if (_seen.Count >= MaxKeys) _seen.Clear(); // a flood of distinct keys: forget rather than grow
    }

    public void Dispose() => _timer.Dispose();
}
