using System.Buffers;
using System.IO.Compression;
using System.Security.Cryptography;
using Appliance.Common;
using Microsoft.Extensions.Logging;

namespace Appliance.Audit;

/// <summary>What one retention pass did.</summary>
public sealed record RetentionPass(int Compressed, int Pruned, long FirstSeq, string? Skipped);

/// <summary>
/// Keeps the audit log from filling the card (docs/audit.md "Retention"). On a background loop (every
/// <c>interval</c> and after each rotation), never on a request's path:
/// <list type="number">
/// <item>gzips closed segments (all but the one being written and the one before it; the .gz is checked
/// against the original before the original is deleted);</item>
/// <item>prunes the oldest closed segments past max_age_days or while the folder is above max_mib, but only
/// segments a signed checkpoint already covers and none younger than <see cref="AuditRetentionOptions.MinimumKept"/>:
/// first it copies them to export_dir (if set), then signs a checkpoint of the last pruned record with the
/// audit key and writes it as anchor.json (the new start <c>audit verify</c> proves the kept chain from),
/// then deletes them and appends a <c>retention</c> record saying what went. Without the token nothing is pruned.</item>
/// </list>
/// </summary>
public sealed class AuditRetention : IAsyncDisposable
{
    private readonly FileAuditLog _log;
    private readonly AuditRetentionOptions _options;
    private readonly ICheckpointSigner? _signer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly System.Threading.Channels.Channel<bool> _due =
        System.Threading.Channels.Channel.CreateBounded<bool>(new System.Threading.Channels.BoundedChannelOptions(1)
            { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropWrite });
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    /// <param name="gauges">Export the disk figures as gauges on the log's meter (the server does; tests need not).</param>
    public AuditRetention(FileAuditLog log, AuditRetentionOptions options, TimeProvider time, ILogger logger, bool gauges = false)
    {
        options.Validate();
        (_log, _options, _signer, _time, _logger) = (log, options, log.Signer, time, logger);
        Storage = new AuditStorage(log.Directory, time, () => log.FirstSeq, gauges ? log.Meter : null);
        _log.SegmentRotated += OnRotated;
    }

    public AuditStorage Storage { get; }

    /// <summary>Starts the background loop: a pass now, then every <paramref name="interval"/> and after each rotation.</summary>
    public void Start(TimeSpan interval)
    {
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await RunOnceAsync(_stop.Token);
                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    await Task.WhenAny(Task.Delay(interval, _time, wait.Token), _due.Reader.WaitToReadAsync(wait.Token).AsTask());
                    await wait.CancelAsync();
                    _due.Reader.TryRead(out _);
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested) { return; }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    _logger.LogWarning("audit retention pass failed, will retry: {Error}", e.Message);
                    try { await Task.Delay(interval, _time, _stop.Token); }
                    catch (OperationCanceledException) { return; }
                }
            }
        });
    }

    private void OnRotated(int _) => _due.Writer.TryWrite(true);

    /// <summary>One pass: compress, then prune if the caps say so. Safe to call at any time (passes do not overlap).</summary>
    public async Task<RetentionPass> RunOnceAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var compressed = _options.Compress ? await Task.Run(Compress, cancellationToken) : 0;
            var (pruned, skipped) = await PruneAsync(cancellationToken);
            if (compressed + pruned > 0) Storage.Invalidate();
            return new RetentionPass(compressed, pruned, _log.FirstSeq, skipped);
        }
        finally
        {
            _gate.Release();
        }
    }

    private int Compress()
    {
        var directory = _log.Directory;
        var done = 0;
        foreach (var (index, path) in AuditSegments.List(directory))
        {
            if (index >= _log.CurrentSegment - 1) break; // the one being written and the one before it stay plain
            if (AuditSegments.IsCompressed(path)) continue;
            // Streamed, file to file: a segment (8 MiB by default) never sits in memory whole, so a
            // compression does not leave large-object-heap arrays behind (it raised RSS in steps in the soak).
            var gz = AuditSegments.CompressedPathOf(directory, index);
            using var originalHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            AtomicFile.Write(gz, target =>
            {
                using var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var gzip = new GZipStream(target, CompressionLevel.SmallestSize, leaveOpen: true);
                Pump(source, originalHash, gzip);
            });
            using var packedHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using (var file = new FileStream(gz, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            using (var unpacked = new GZipStream(file, CompressionMode.Decompress))
                Pump(unpacked, packedHash, null);
            // Only a .gz that gives back exactly the original replaces it.
            if (!packedHash.GetHashAndReset().AsSpan().SequenceEqual(originalHash.GetHashAndReset()))
            {
                AtomicFile.Delete(gz);
                throw new IOException($"{Path.GetFileName(gz)} does not decompress to {Path.GetFileName(path)}; kept the original.");
            }
            AtomicFile.Delete(path);
            done++;
        }
        return done;
    }

    /// <summary>Copies <paramref name="from"/> into the hash and, if given, <paramref name="to"/>, 64 KiB at a time.</summary>
    private static void Pump(Stream from, IncrementalHash hash, Stream? to)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int n;
            while ((n = from.Read(buffer, 0, 64 * 1024)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                to?.Write(buffer, 0, n);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<(int Pruned, string? Skipped)> PruneAsync(CancellationToken cancellationToken)
    {
        var directory = _log.Directory;
        var anchor = AuditAnchor.Load(directory);
        var segments = AuditSegments.List(directory).ToList();
        // A prune that was interrupted after its anchor was written: finish deleting what is behind it.
        foreach (var (_, path) in segments.Where(s => anchor is not null && s.Index < anchor.FirstSegment)) AtomicFile.Delete(path);
        segments.RemoveAll(s => anchor is not null && s.Index < anchor.FirstSegment);
        if (_options.MaxAgeDays is null && _options.MaxMiB is null) return (0, null);

        var now = _time.GetUtcNow();
        var total = Directory.EnumerateFiles(directory).Sum(f => new FileInfo(f).Length);
        var maxBytes = _options.MaxMiB * 1024 * 1024;
        var prune = new List<(int Index, string Path)>();
        (long Seq, string Prev, DateTimeOffset Time)? boundary = null;
        string? skipped = null;
        for (var i = 0; i + 1 < segments.Count && segments[i].Index < _log.CurrentSegment - 1; i++)
        {
            // The next segment's first record: its seq − 1 ends this one, its prev is this one's last hash.
            if (AuditSegments.ReadFirstLine(segments[i + 1].Path) is not { } line) break;
            var next = AuditRecordJson.Parse(line);
            var old = _options.MaxAgeDays is { } days && next.Entry.Time < now - TimeSpan.FromDays(days);
            var big = maxBytes is { } max && total > max;
            if (!old && !big) break;
            if (next.Entry.Time > now - AuditRetentionOptions.MinimumKept) { skipped = "its records are younger than 25 h (the withdrawal totals may need them)"; break; }
            if (next.Seq - 1 > _log.LastCheckpointedSeq) { skipped = "no signed checkpoint covers it yet"; break; }
            prune.Add(segments[i]);
            total -= new FileInfo(segments[i].Path).Length;
            boundary = (next.Seq, next.Prev, next.Entry.Time);
        }
        if (boundary is not { } b)
        {
            if (skipped is not null) _logger.LogWarning("audit retention: the oldest segment is due but not pruned: {Why}", skipped);
            return (0, skipped);
        }
        if (_signer is null) return (0, "checkpoints are off, so no anchor can be signed");

        byte[] signature;
        try { signature = await Task.Run(() => _signer.Sign(AuditCheckpointSigning.Digest(b.Seq - 1, b.Prev)), cancellationToken); }
        catch (Exception e) when (e is InvalidOperationException or IOException or CryptographicException)
        {
            _logger.LogWarning("audit retention: cannot sign the anchor, nothing pruned: {Error}", e.Message);
            return (0, "the token cannot sign the anchor now");
        }
        if (_options.ExportDir is { } export)
        {
            AtomicFile.CreatePrivateDirectory(export);
            foreach (var (_, path) in prune)
                AtomicFile.Write(Path.Combine(export, Path.GetFileName(path)), target =>
                {
                    using var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                    source.CopyTo(target);
                });
        }
        var firstPruned = AuditSegments.ReadFirstLine(prune[0].Path) is { } first ? AuditRecordJson.Parse(first).Seq : (long?)null;
        new AuditAnchor
        {
            FirstSeq = b.Seq,
            FirstSegment = prune[^1].Index + 1,
            Prev = b.Prev,
            PrunedAt = now,
            ExportedTo = _options.ExportDir,
            Key = _signer.KeyName,
            Signature = Convert.ToBase64String(signature),
        }.Save(directory);
        foreach (var (_, path) in prune) AtomicFile.Delete(path);
        _log.FirstSeq = b.Seq;
        var names = prune.Count == 1 ? Path.GetFileName(prune[0].Path) : $"{Path.GetFileName(prune[0].Path)} to {Path.GetFileName(prune[^1].Path)}";
        var detail = $"pruned {names} (records {firstPruned?.ToString() ?? "…"} to {b.Seq - 1}, the last written {b.Time:yyyy-MM-dd HH:mm}Z)" +
                     $"{(_options.ExportDir is { } to ? $", copied to {to} first" : "")}; the log now starts at record {b.Seq}, " +
                     $"anchored by a checkpoint signed with slot {_signer.KeyName} ({AuditAnchor.FileName})";
        _logger.LogInformation("audit retention: {Detail}", detail);
        try { await _log.AppendAsync(AuditEntry.Note(AuditKind.Retention, now, detail), cancellationToken); }
        catch (Exception e) when (e is SignRefusal) { _logger.LogError("audit retention: could not record the prune: {Error}", e.Message); }
        return (prune.Count, null);
    }

    public async ValueTask DisposeAsync()
    {
        _log.SegmentRotated -= OnRotated;
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
