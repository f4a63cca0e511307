using System.Text.Json;
using System.Text.Json.Nodes;
using Appliance.Policy;

namespace Appliance.Audit;

/// <summary>
/// Policy versions in the audit chain. An anchor record (kind <c>policy</c>) says a record reached a version:
/// <c>{"record":"bot/grid","version":4,"change":"narrowed"}</c> in <c>detail</c>; a snapshot record carries the floors
/// of every record: <c>{"snapshot":{"bot/grid":4,…}}</c>. The floors are what the log says, read back from its end:
/// the newest snapshot that a later checkpoint (signed by the audit key) covers, raised by every anchor and snapshot
/// after it. Records after the last checkpoint can only raise floors, never lower them, so an appended forgery can
/// at worst refuse a record, never bring an old one back.
/// </summary>
public static class PolicyAnchorLog
{
    /// <summary>Scanning stops trusting a snapshot whose covering checkpoint is further than this many records away.</summary>
    private const int MaxChainCheck = 200_000;

    private static ReadOnlySpan<byte> PolicyMarker => ",\"kind\":\"policy\","u8;
    private static ReadOnlySpan<byte> CheckpointMarker => ",\"kind\":\"checkpoint\","u8;

    public static AuditEntry Anchor(PolicyAnchor anchor, DateTimeOffset time) => new()
    {
        Kind = AuditKind.Policy,
        Time = time,
        Bot = anchor.Key.Kind == PolicyRecordKind.Bot ? anchor.Key.Name : null,
        Credential = anchor.Key.Kind == PolicyRecordKind.Credential ? anchor.Key.Name : null,
        Reason = anchor.Change,
        Detail = new JsonObject { ["record"] = anchor.Key.ToString(), ["version"] = anchor.Version, ["change"] = anchor.Change }.ToJsonString(),
    };

    public static AuditEntry Snapshot(PolicyFloors floors, DateTimeOffset time) => new()
    {
        Kind = AuditKind.Policy,
        Time = time,
        Reason = "snapshot",
        Detail = new JsonObject { ["snapshot"] = floors.ToJson() }.ToJsonString(),
    };

    /// <summary>The floors one policy record states, and whether it is a snapshot. False for any other record.</summary>
    public static bool TryRead(AuditEntry entry, out PolicyFloors floors, out bool snapshot)
    {
        floors = new PolicyFloors();
        snapshot = false;
        if (entry.Kind != AuditKind.Policy || entry.Detail is null) return false;
        try
        {
            using var doc = JsonDocument.Parse(entry.Detail);
            var root = doc.RootElement;
            if (root.TryGetProperty("snapshot", out var all))
            {
                floors = PolicyFloors.FromJson(all);
                snapshot = true;
                return true;
            }
            floors.Raise(PolicyRecordKey.Parse(root.GetProperty("record").GetString()!), root.GetProperty("version").GetInt64());
            return true;
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            return false; // not ours to judge: audit verify names damaged records
        }
    }

    /// <summary>The floors the audit log under <paramref name="directory"/> states (empty when there is no log).</summary>
    public static PolicyFloors ReadFloors(string directory, ReadOnlySpan<byte> auditPublicKey)
    {
        var key = auditPublicKey.ToArray();
        var segments = AuditSegments.List(directory);
        var loaded = new List<List<ReadOnlyMemory<byte>>>(); // newest first
        var later = new PolicyFloors();                        // raised by every policy record seen so far (all newer)
        var checkpoints = new List<AuditCheckpoint>();         // verified, newest first
        for (var s = segments.Count - 1; s >= 0; s--)
        {
            var (lines, _) = AuditSegments.ReadLines(File.ReadAllBytes(segments[s].Path));
            loaded.Insert(0, lines);
            for (var i = lines.Count - 1; i >= 0; i--)
            {
                var line = lines[i].Span;
                if (line.IndexOf(CheckpointMarker) >= 0)
                {
                    if (TryParse(line) is { Entry.Checkpoint: { } c } && Verifies(key, c)) checkpoints.Add(c);
                    continue;
                }
                if (line.IndexOf(PolicyMarker) < 0 || TryParse(line) is not { } record) continue;
                if (!TryRead(record.Entry, out var floors, out var snapshot)) continue;
                if (snapshot && checkpoints.LastOrDefault(c => c.Seq >= record.Seq) is { } cover
                    && ChainHolds(loaded, 0, i, record, cover))
                {
                    floors.RaiseAll(later);
                    return floors;
                }
                later.RaiseAll(floors);
            }
        }
        return later;
    }

    private static bool Verifies(byte[] key, AuditCheckpoint c)
    {
        try { return AuditCheckpointSigning.Verify(key, c); }
        catch (ArgumentException) { return false; }
    }

    private static AuditRecord? TryParse(ReadOnlySpan<byte> line)
    {
        try
        {
            var r = AuditRecordJson.Parse(line);
            return AuditRecordJson.ComputeHash(r) == r.Hash ? r : null;
        }
        catch (FormatException) { return null; }
    }

    /// <summary>Whether the records from <paramref name="from"/> (at segment <paramref name="segment"/>, line <paramref name="line"/>) chain unbroken to the one the checkpoint signs.</summary>
    private static bool ChainHolds(List<List<ReadOnlyMemory<byte>>> loaded, int segment, int line, AuditRecord from, AuditCheckpoint cover)
    {
        var prev = from;
        if (prev.Seq == cover.Seq) return prev.Hash == cover.Hash;
        var checkedCount = 0;
        for (var s = segment; s < loaded.Count; s++)
        {
            for (var i = s == segment ? line + 1 : 0; i < loaded[s].Count; i++)
            {
                if (++checkedCount > MaxChainCheck || TryParse(loaded[s][i].Span) is not { } r) return false;
                if (r.Seq != prev.Seq + 1 || r.Prev != prev.Hash) return false;
                if (r.Seq == cover.Seq) return r.Hash == cover.Hash;
                prev = r;
            }
        }
        return false;
    }
}
