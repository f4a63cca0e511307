using System.Text.Json;
using System.Text.Json.Serialization;

namespace Appliance.Admin;

/// <summary>
/// The admin socket's line protocol: the client sends one command per line (<c>pause</c>,
/// <c>resume</c>, <c>status</c>, <c>policy-reload</c>) and gets one JSON line back.
/// </summary>
public sealed record AdminReply
{
    [JsonPropertyName("ok")] public bool Ok { get; init; }
    [JsonPropertyName("state")] public string? State { get; init; }
    [JsonPropertyName("paused")] public bool Paused { get; init; }
    [JsonPropertyName("token_present")] public bool TokenPresent { get; init; }
    [JsonPropertyName("pending_approvals")] public int PendingApprovals { get; init; }
    /// <summary>VmLck of the server: the pages that hold its secrets, locked in RAM.</summary>
    [JsonPropertyName("locked_kb")] public long? LockedKb { get; init; }
    /// <summary>False once the server has made itself non-dumpable (prctl PR_SET_DUMPABLE 0).</summary>
    [JsonPropertyName("core_dumps")] public bool? CoreDumps { get; init; }
    [JsonPropertyName("error")] public string? Error { get; init; }
    [JsonPropertyName("audit")] public AdminAuditStatus? Audit { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static AdminReply Parse(string line) =>
        JsonSerializer.Deserialize<AdminReply>(line, Json) ?? throw new InvalidDataException("The admin socket answered an empty reply.");

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
}

/// <summary>The audit log's share of the disk, in <c>status</c>.</summary>
public sealed record AdminAuditStatus
{
    [JsonPropertyName("bytes")] public long Bytes { get; init; }
    [JsonPropertyName("segments")] public int Segments { get; init; }
    [JsonPropertyName("first_seq")] public long FirstSeq { get; init; }
    [JsonPropertyName("disk_used_percent")] public double DiskUsedPercent { get; init; }
    [JsonPropertyName("disk_free_bytes")] public long DiskFreeBytes { get; init; }
    [JsonPropertyName("bytes_per_day")] public double? BytesPerDay { get; init; }
    [JsonPropertyName("days_left")] public double? DaysLeft { get; init; }

    public static AdminAuditStatus From(Audit.AuditDiskReport r) => new()
    {
        Bytes = r.AuditBytes,
        Segments = r.Segments,
        FirstSeq = r.FirstSeq,
        DiskUsedPercent = Math.Round(r.DiskUsedPercent, 1),
        DiskFreeBytes = r.DiskFreeBytes,
        BytesPerDay = r.BytesPerDay is { } b ? Math.Round(b) : null,
        DaysLeft = r.DaysLeft is { } d ? Math.Round(d, 1) : null,
    };
}

public static class AdminCommandNames
{
    public const string Pause = "pause";
    public const string Resume = "resume";
    public const string Status = "status";

    /// <summary>Re-read bots and credentials now and anchor their versions in the audit log before answering.</summary>
    public const string PolicyReload = "policy-reload";

    /// <summary>Longest line the server reads; anything longer is not a command.</summary>
    public const int MaxLine = 64;
}
