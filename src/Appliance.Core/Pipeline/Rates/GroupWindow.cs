namespace Appliance.Pipeline;

/// <summary>
/// What one pocket sent in one Upbit group during the last period: a sliding log, so there are never
/// more than the group's limit in ANY period-long span (a token bucket of the same rate lets twice the
/// limit through across one of Upbit's one-second windows, which Upbit answers with 429). It holds at most
/// limit entries, and each remembers its bot so the fair split can count per bot. Also what Upbit said
/// about this group: a 429, or Remaining-Req's <c>sec</c>.
/// </summary>
internal sealed class GroupWindow
{
    private readonly Queue<(long Stamp, string Bot)> _sent = new();
    private readonly Dictionary<string, int> _perBot = new(StringComparer.Ordinal);

    /// <summary>After a 429: nothing goes until then.</summary>
    public long BlockedUntil { get; set; }

    /// <summary>Remaining-Req's <c>sec</c>, counted down by what is sent, until <see cref="UpbitLeftUntil"/>.</summary>
    public int UpbitLeft { get; set; }

    public long UpbitLeftUntil { get; set; }

    public int Count => _sent.Count;

    public int UsedBy(string bot) => _perBot.GetValueOrDefault(bot);

    public long OldestStamp => _sent.Peek().Stamp;

    /// <summary>When this bot's oldest request in the window was sent; the bot must have one.</summary>
    public long OldestStampOf(string bot)
    {
        foreach (var (stamp, sender) in _sent)
        {
            if (sender == bot) return stamp;
        }
        throw new InvalidOperationException($"Bot '{bot}' has nothing in this window.");
    }

    public void Expire(long now, long periodTicks)
    {
        while (_sent.TryPeek(out var oldest) && now - oldest.Stamp >= periodTicks)
        {
            _sent.Dequeue();
            var left = _perBot[oldest.Bot] - 1;
            if (left == 0) _perBot.Remove(oldest.Bot);
            else _perBot[oldest.Bot] = left;
        }
    }

    public void Record(long now, string bot)
    {
        _sent.Enqueue((now, bot));
        _perBot[bot] = UsedBy(bot) + 1;
        if (UpbitLeftUntil > now) UpbitLeft--;
    }

    public bool IsIdle(long now) => _sent.Count == 0 && BlockedUntil <= now && UpbitLeftUntil <= now;
}
