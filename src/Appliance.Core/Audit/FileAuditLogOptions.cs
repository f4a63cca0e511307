namespace Appliance.Audit;

/// <summary>How the file audit log rotates, batches and checkpoints.</summary>
public sealed record FileAuditLogOptions
{
    /// <summary>A segment is closed once the next batch would take it past this size.</summary>
    public long MaxSegmentBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>Most records written by one fsync (group commit).</summary>
    public int MaxBatch { get; init; } = 1024;

    /// <summary>A checkpoint after this many records…</summary>
    public int CheckpointEvery { get; init; } = 1000;

    /// <summary>…or after this long, whichever comes first (only if something was written since).</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Make the next segment in the background once the current one is half full, so rotation does not
    /// stall a batch (false only for the benchmark's baseline).</summary>
    internal bool PrepareNextSegment { get; init; } = true;

    /// <summary>The file-write boundary; tests inject failures here.</summary>
    public IAuditDisk Disk { get; init; } = FileAuditDisk.Instance;

    public void Validate()
    {
        if (MaxSegmentBytes < 4096) throw new ArgumentException("MaxSegmentBytes must be at least 4096.");
        if (MaxBatch < 1) throw new ArgumentException("MaxBatch must be at least 1.");
        if (CheckpointEvery < 1) throw new ArgumentException("CheckpointEvery must be at least 1.");
        if (CheckpointInterval <= TimeSpan.Zero) throw new ArgumentException("CheckpointInterval must be positive.");
    }
}
