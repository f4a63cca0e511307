using Appliance.Common;

namespace Appliance.Pipeline;

/// <summary>
/// What tells a retry from a different request under the same id (<see cref="Hash"/>, 64 bits of SHA-256:
/// a collision could only make a different request look like a retry, which is refused, never sent twice),
/// and whether the request changes anything at Upbit (POST and DELETE do; a GET does not).
/// </summary>
public readonly record struct RequestPrint(ulong Hash, bool Changes);

/// <summary>(bot, request_id) as 128 bits of SHA-256: 16 bytes per kept id instead of two strings.</summary>
internal static class IdKey
{
    public static Key128 Of(string bot, string requestId) => Key128.Of(bot + "\n" + requestId); // a bot name has no newline
}

/// <summary>
/// The long-lived half of never twice: every POST/DELETE id for at least the window, as one 32-byte struct
/// in a dictionary keyed by 16 bytes (about 60 bytes an id with the dictionary's own slots). Ids are kept
/// in generations of window/24 (an hour for 24 h): a whole generation is dropped once its newest id is older
/// than the window, so ids live between 24 and 25 h, no per-id expiry queue is needed, and each array is a
/// 24th of the day's. Not thread-safe: <see cref="SentRequests"/> holds its lock around every call.
/// </summary>
internal sealed class SentIds(TimeSpan window)
{
    public const int InFlight = 0;
    public const int Unknown = -1;

    private readonly long _span = Math.Max(1, window.Ticks / 24);
    private readonly List<Generation> _generations = []; // ascending slots
    private readonly Dictionary<string, int> _perBot = new(StringComparer.Ordinal);
    private readonly Dictionary<Key128, string?> _unknownIdentifiers = new(); // rare: sent, answer lost

    public int Count => _generations.Sum(g => g.Ids.Count);

    public int CountFor(string bot) => _perBot.GetValueOrDefault(bot);

    public bool TryGet(Key128 key, out Kept kept)
    {
        for (var i = _generations.Count - 1; i >= 0; i--)
            if (_generations[i].Ids.TryGetValue(key, out kept)) return true;
        kept = default;
        return false;
    }

    /// <summary>The order identifier an OUTCOME_UNKNOWN refusal names, if any.</summary>
    public string? UnknownIdentifier(Key128 key) => _unknownIdentifiers.GetValueOrDefault(key);

    public void Add(string bot, Key128 key, Kept kept, long atTicks)
    {
        var generation = For(atTicks / _span);
        if (!generation.Ids.TryAdd(key, kept)) return;
        generation.PerBot[bot] = generation.PerBot.GetValueOrDefault(bot) + 1;
        _perBot[bot] = _perBot.GetValueOrDefault(bot) + 1;
    }

    /// <summary>The id's outcome: Upbit's status, or <see cref="Unknown"/> with the order identifier to look up.</summary>
    public void Conclude(Key128 key, int status, Guid auditId, string? unknownIdentifier)
    {
        for (var i = _generations.Count - 1; i >= 0; i--)
        {
            var g = _generations[i];
            if (!g.Ids.TryGetValue(key, out var kept)) continue;
            g.Ids[key] = kept with { Status = status, AuditId = auditId == Guid.Empty ? kept.AuditId : auditId };
            if (status == Unknown) _unknownIdentifiers[key] = unknownIdentifier;
            return;
        }
    }

    /// <summary>Never sent after all: the id is free again and does not count.</summary>
    public void Remove(string bot, Key128 key)
    {
        foreach (var g in _generations)
        {
            if (!g.Ids.Remove(key)) continue;
            Uncount(g.PerBot, bot, 1);
            Uncount(_perBot, bot, 1);
            return;
        }
    }

    public void Expire(long nowTicks)
    {
        while (_generations.Count > 0 && (_generations[0].Slot + 1) * _span + window.Ticks <= nowTicks)
        {
            var gone = _generations[0];
            _generations.RemoveAt(0);
            foreach (var (bot, n) in gone.PerBot) Uncount(_perBot, bot, n);
            if (_unknownIdentifiers.Count > 0)
                foreach (var (key, kept) in gone.Ids)
                    if (kept.Status == Unknown) _unknownIdentifiers.Remove(key);
        }
    }

    private Generation For(long slot)
    {
        var i = _generations.Count;
        while (i > 0 && _generations[i - 1].Slot > slot) i--;
        if (i > 0 && _generations[i - 1].Slot == slot) return _generations[i - 1];
        var created = new Generation(slot);
        _generations.Insert(i, created);
        // The generation before is done growing: give back its dictionary's slack (up to half its slots).
        if (i > 0) _generations[i - 1].Ids.TrimExcess();
        return created;
    }

    private static void Uncount(Dictionary<string, int> counts, string bot, int n)
    {
        if ((counts[bot] -= n) <= 0) counts.Remove(bot);
    }

    /// <summary>One kept id: its request's print, its audit id (for the refusal's text) and Upbit's status.</summary>
    internal readonly record struct Kept(ulong Print, Guid AuditId, int Status);

    private sealed class Generation(long slot)
    {
        public long Slot { get; } = slot;
        public Dictionary<Key128, Kept> Ids { get; } = new();
        public Dictionary<string, int> PerBot { get; } = new(StringComparer.Ordinal);
    }
}
