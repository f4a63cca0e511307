using System.Text.Json.Serialization;

namespace Appliance.Audit;

/// <summary>
/// appliance.json "audit": segment size, compression and retention of the audit log, and the disk alert.
/// Without max_age_days or max_mib nothing is ever deleted (the card fills; the alert and `status` warn first).
/// </summary>
public sealed record AuditRetentionOptions
{
    /// <summary>A segment is closed at this size (MiB).</summary>
    [JsonPropertyName("segment_mib")] public int SegmentMiB { get; init; } = 8;

    /// <summary>gzip closed segments (all but the one being written and the one before it).</summary>
    [JsonPropertyName("compress")] public bool Compress { get; init; } = true;

    /// <summary>Prune closed segments whose records are all older than this (days); null: keep by age forever.</summary>
    [JsonPropertyName("max_age_days")] public double? MaxAgeDays { get; init; }

    /// <summary>Prune the oldest closed segments while the audit folder is larger than this (MiB); null: no size cap.</summary>
    [JsonPropertyName("max_mib")] public long? MaxMiB { get; init; }

    /// <summary>Copy each segment here (an absolute path, e.g. a mounted USB disk) before it is pruned; null: no copy.</summary>
    [JsonPropertyName("export_dir")] public string? ExportDir { get; init; }

    /// <summary>Raise the audit_disk alert when the file system holding the log is this full (percent).</summary>
    [JsonPropertyName("disk_alert_percent")] public double DiskAlertPercent { get; init; } = 80;

    /// <summary>
    /// Nothing younger than this is pruned, whatever the caps say: a lost withdrawal-totals file is rebuilt
    /// from the last 24 h of records, so those must stay (with an hour's margin).
    /// </summary>
    public static readonly TimeSpan MinimumKept = TimeSpan.FromHours(25);

    /// <summary>Derived from segment_mib: never written to appliance.json (not a key an operator sets).</summary>
    [JsonIgnore] public long SegmentBytes => SegmentMiB * 1024L * 1024L;

    public void Validate()
    {
        if (SegmentMiB is < 1 or > 256) throw new ArgumentException("appliance.json: 'audit.segment_mib' must be between 1 and 256.");
        if (MaxAgeDays is { } days && days < 2)
            throw new ArgumentException("appliance.json: 'audit.max_age_days' must be at least 2 (a day of records backs the 24 h withdrawal totals); use null to keep everything.");
        if (MaxMiB is { } mib && mib < 4L * SegmentMiB)
            throw new ArgumentException($"appliance.json: 'audit.max_mib' must be at least 4 segments ({4 * SegmentMiB} MiB with segment_mib {SegmentMiB}); use null for no size cap.");
        if (ExportDir is { } dir && !Path.IsPathFullyQualified(dir))
            throw new ArgumentException($"appliance.json: 'audit.export_dir' '{dir}' must be an absolute path, such as /mnt/usb/audit.");
        if (DiskAlertPercent is < 1 or > 99)
            throw new ArgumentException("appliance.json: 'audit.disk_alert_percent' must be between 1 and 99.");
    }
}
