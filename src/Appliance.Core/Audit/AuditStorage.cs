using System.Diagnostics.Metrics;

namespace Appliance.Audit;

/// <summary>How much room the audit log takes and has left.</summary>
/// <param name="AuditBytes">Every file of the audit folder.</param>
/// <param name="DiskTotalBytes">Size of the file system that holds it.</param>
/// <param name="DiskFreeBytes">Space available to the appliance there.</param>
/// <param name="BytesPerDay">Growth of the audit folder over the last 24 h (or since its first kept record, if younger), as stored (compressed or not); null until there is a minute of history.</param>
/// <param name="DaysLeft">Free space / growth: when the card fills at this rate (signing then stops); null when unknown or not growing.</param>
public sealed record AuditDiskReport(long AuditBytes, long DiskTotalBytes, long DiskFreeBytes, double? BytesPerDay, double? DaysLeft,
    int Segments, long FirstSeq)
{
    public double DiskUsedPercent => DiskTotalBytes <= 0 ? 0 : 100.0 * (DiskTotalBytes - DiskFreeBytes) / DiskTotalBytes;
}

/// <summary>
/// Measures the audit folder and its file system (cached for <see cref="CacheFor"/>), and exports it as
/// gauges. The growth rate comes from the segments themselves: each covers the time from its first
/// record to the next segment's first record, so the bytes written over the last day are known at
/// start, with no history to keep (only each segment's first line is read, once).
/// </summary>
public sealed class AuditStorage
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    private readonly string _directory;
    private readonly TimeProvider _time;
    private readonly Func<long> _firstSeq;
    private readonly Dictionary<int, DateTimeOffset> _firstTimes = [];
    private readonly Lock _lock = new();
    private (AuditDiskReport Report, DateTimeOffset At)? _cached;

    /// <param name="meter">Where the gauges go (the audit log's own meter); null: none.</param>
    public AuditStorage(string directory, TimeProvider time, Func<long> firstSeq, Meter? meter = null)
    {
        (_directory, _time, _firstSeq) = (directory, time, firstSeq);
        if (meter is null) return;
        meter.CreateObservableGauge("audit.bytes", () => Report().AuditBytes, unit: "By", description: "Size of the audit folder");
        meter.CreateObservableGauge("audit.disk.used_ratio", () => Report().DiskUsedPercent / 100, description: "How full the file system holding the audit log is (0-1)");
        meter.CreateObservableGauge("audit.disk.free", () => Report().DiskFreeBytes, unit: "By", description: "Space left on the file system holding the audit log");
        meter.CreateObservableGauge<double>("audit.bytes_per_day", () => Optional(Report().BytesPerDay), unit: "By", description: "Audit growth over the last 24 h");
        meter.CreateObservableGauge<double>("audit.days_left", () => Optional(Report().DaysLeft), description: "Days until the disk is full at the current audit growth");
    }

    private static IEnumerable<Measurement<double>> Optional(double? value) => value is { } v ? [new Measurement<double>(v)] : [];

    /// <summary>The current figures (measured at most every <see cref="CacheFor"/>).</summary>
    public AuditDiskReport Report()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (_cached is { } c && now - c.At < CacheFor) return c.Report;
            var report = Measure(now);
            _cached = (report, now);
            return report;
        }
    }

    /// <summary>Forgets the cached figures (after a prune or a compression).</summary>
    public void Invalidate()
    {
        lock (_lock) _cached = null;
    }

    private AuditDiskReport Measure(DateTimeOffset now)
    {
        var segments = AuditSegments.List(_directory);
        var sizes = segments.ToDictionary(s => s.Index, s => SafeLength(s.Path));
        var total = Directory.EnumerateFiles(_directory).Sum(SafeLength);
        var drive = new DriveInfo(_directory); // on Linux: statvfs of this path, whatever the mount point
        var rate = Rate(segments, sizes, now);
        var free = drive.AvailableFreeSpace;
        return new AuditDiskReport(total, drive.TotalSize, free, rate, rate is > 0 ? free / rate : null, segments.Count, _firstSeq());
    }

    private double? Rate(IReadOnlyList<(int Index, string Path)> segments, Dictionary<int, long> sizes, DateTimeOffset now)
    {
        var starts = new List<(int Index, DateTimeOffset First)>();
        foreach (var (index, path) in segments)
            if (FirstTime(index, path) is { } t) starts.Add((index, t));
        if (starts.Count == 0) return null;
        var windowStart = now - Window;
        var span = now - (starts[0].First > windowStart ? starts[0].First : windowStart);
        if (span < TimeSpan.FromMinutes(1)) return null;
        double bytes = 0;
        for (var i = 0; i < starts.Count; i++)
        {
            var from = starts[i].First;
            var to = i + 1 < starts.Count ? starts[i + 1].First : now;
            if (to <= windowStart) continue;
            var length = (to - from).TotalSeconds;
            var inside = (to - (from > windowStart ? from : windowStart)).TotalSeconds;
            bytes += length <= 0 ? sizes[starts[i].Index] : sizes[starts[i].Index] * Math.Clamp(inside / length, 0, 1);
        }
        return bytes / span.TotalDays;
    }

    /// <summary>The time of a segment's first record (cached: a first line never changes); null while it has none.</summary>
    private DateTimeOffset? FirstTime(int index, string path)
    {
        if (_firstTimes.TryGetValue(index, out var known)) return known;
        try
        {
            if (AuditSegments.ReadFirstLine(path) is not { } line) return null;
            var time = AuditRecordJson.Parse(line).Entry.Time;
            _firstTimes[index] = time;
            return time;
        }
        catch (Exception e) when (e is IOException or FormatException or InvalidDataException) { return null; }
    }

    private static long SafeLength(string path)
    {
        try { return new FileInfo(path).Length; }
        catch (IOException) { return 0; } // pruned or compressed while we looked
    }
}
