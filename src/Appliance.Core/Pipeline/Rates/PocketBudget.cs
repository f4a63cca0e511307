using Appliance.Upbit;

namespace Appliance.Pipeline;

/// <summary>
/// One Upbit pocket's state in <see cref="RateGuard"/>: a window per group, the bots that use the pocket
/// (its fair split is among them), and Upbit's 418 block, which covers the whole pocket.
/// </summary>
internal sealed class PocketBudget
{
    private readonly Dictionary<RateGroup, GroupWindow> _groups = new();

    /// <summary>Bot → when it last asked to send through this pocket, in any group.</summary>
    public Dictionary<string, long> Participants { get; } = new(StringComparer.Ordinal);

    public long BannedUntil { get; set; }

    /// <summary>418s without a stated wait, for the escalating back-off; forgotten after a quiet spell.</summary>
    public int Bans { get; set; }

    public long LastBan { get; set; }

    public IReadOnlyDictionary<RateGroup, GroupWindow> Groups => _groups;

    public GroupWindow Group(RateGroup group)
    {
        if (!_groups.TryGetValue(group, out var window))
            _groups[group] = window = new GroupWindow();
        return window;
    }

    /// <summary>Drops bots that asked nothing for <paramref name="memoryTicks"/> and have nothing left in any window.</summary>
    public void ForgetQuietParticipants(long now, long memoryTicks)
    {
        List<string>? quiet = null;
        foreach (var (bot, lastSeen) in Participants)
        {
            if (now - lastSeen < memoryTicks) continue;
            if (_groups.Values.Any(w => w.UsedBy(bot) > 0)) continue;
            (quiet ??= []).Add(bot);
        }
        if (quiet is null) return;
        foreach (var bot in quiet) Participants.Remove(bot);
    }

    public void DropIdleGroups(long now)
    {
        foreach (var (group, window) in _groups.ToList())
        {
            if (window.IsIdle(now)) _groups.Remove(group);
        }
    }

    public bool IsIdle(long now, long banMemoryTicks) =>
        Participants.Count == 0 && _groups.Count == 0 && BannedUntil <= now && (Bans == 0 || now - LastBan >= banMemoryTicks);
}
