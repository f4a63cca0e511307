using System.Text.Json;
using System.Text.Json.Serialization;
using Appliance.Common;

namespace Appliance.Audit;

/// <summary>
/// DATA_DIR/audit/anchor.json: where the kept log starts once retention has pruned older segments. It
/// is a checkpoint of the last pruned record (its seq and hash, which the first kept record names as
/// prev) signed by the audit key, so <c>audit verify</c> proves the kept chain from there, and deleting
/// more segments (or putting an older anchor back) is caught: the first kept record would not match.
/// Written atomically before the segments are deleted.
/// </summary>
public sealed record AuditAnchor
{
    public const string FileName = "anchor.json";

    /// <summary>The first record kept: the chain continues from <see cref="Prev"/>.</summary>
    [JsonPropertyName("first_seq")] public required long FirstSeq { get; init; }

    /// <summary>The index of the segment that starts with <see cref="FirstSeq"/>.</summary>
    [JsonPropertyName("first_segment")] public required int FirstSegment { get; init; }

    /// <summary>The hash of record FirstSeq − 1, the last one pruned.</summary>
    [JsonPropertyName("prev")] public required string Prev { get; init; }

    [JsonPropertyName("pruned_at")] public required DateTimeOffset PrunedAt { get; init; }

    /// <summary>Where the pruned segments were copied first, if anywhere.</summary>
    [JsonPropertyName("exported_to")] public string? ExportedTo { get; init; }

    [JsonPropertyName("key")] public required string Key { get; init; }

    /// <summary>The checkpoint signature (r || s, base64) over (FirstSeq − 1, Prev).</summary>
    [JsonPropertyName("sig")] public required string Signature { get; init; }

    public AuditCheckpoint AsCheckpoint() => new(FirstSeq - 1, Prev, Key, Signature);

    public bool Verify(ReadOnlySpan<byte> auditPublicKey) => AuditCheckpointSigning.Verify(auditPublicKey, AsCheckpoint());

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    /// <summary>The anchor of <paramref name="directory"/>, or null when nothing was ever pruned. Throws InvalidDataException when damaged.</summary>
    public static AuditAnchor? Load(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            var anchor = JsonSerializer.Deserialize<AuditAnchor>(File.ReadAllText(path), Json) ?? throw new JsonException("empty");
            if (anchor.FirstSeq < 2 || anchor.FirstSegment < 2 || anchor.Prev.Length != 64)
                throw new JsonException("first_seq, first_segment or prev out of range");
            return anchor;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is damaged ({e.Message}); run 'appliance audit verify' and keep the log as evidence.", e);
        }
    }

    public void Save(string directory) => AtomicFile.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, Json));
}
