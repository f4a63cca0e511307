using System.Buffers;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Appliance.Common;
using Appliance.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Audit;

/// <summary>
/// The hash-chained audit log under DATA_DIR/audit (docs/audit.md). One writer task takes every
/// waiting record, writes them with one fsync (group commit) and only then completes their
/// <see cref="AppendAsync"/>. When a write fails, those callers get AUDIT_UNAVAILABLE, the log is
/// marked unavailable (the alert LED listens to <see cref="AvailabilityChanged"/>), and the next
/// record tries again: signing resumes by itself once the disk takes writes.
/// </summary>
public sealed partial class FileAuditLog : IAuditSink, IAsyncDisposable
{
    private sealed record Pending(AuditEntry Entry, TaskCompletionSource<AuditRecord> Done);

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Wakes the writer thread once per record (and at close) without a thread-pool hop: a
    /// starved pool must not delay the records that every signature waits for.</summary>
    private readonly SemaphoreSlim _wake = new(0);
    private readonly AuditSegmentWriter _segments;
    private readonly FileAuditLogOptions _options;
    private readonly ICheckpointSigner? _signer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _headLock = new();
    private readonly Meter _meter;
    private readonly Histogram<double> _fsyncSeconds;
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private long _seq;
    private string _head;
    private long _sinceCheckpoint;
    private long _lastCheckpointed;
    private long _queued;
    private volatile bool _available = true;
    private readonly TaskCompletionSource _writerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _batches;
    private int _disposed;

    private FileAuditLog(string directory, AuditHead head, ICheckpointSigner? signer, FileAuditLogOptions options,
        TimeProvider time, ILogger logger, IMeterFactory? meters)
    {
        Directory = directory;
        _segments = new AuditSegmentWriter(directory, options.Disk, options.MaxSegmentBytes, head.SegmentIndex, head.SegmentLength,
            options.PrepareNextSegment);
        _seq = head.Seq;
        _head = head.Hash;
        _sinceCheckpoint = head.Uncovered; // counting toward the next checkpoint goes on across restarts
        _lastCheckpointed = head.LastCheckpointedSeq;
        FirstSeq = head.FirstSeq;
        _signer = signer;
        _options = options;
        _time = time;
        _logger = logger;
        _meter = meters?.Create(RequestMetrics.MeterName) ?? new Meter(RequestMetrics.MeterName);
        _fsyncSeconds = _meter.CreateHistogram<double>("audit.fsync.duration", unit: "s", description: "Time to write and fsync one audit batch");
        _meter.CreateObservableGauge("audit.queue.depth", () => Interlocked.Read(ref _queued), description: "Audit records waiting for the writer");
        _meter.CreateObservableGauge("audit.available", () => _available ? 1 : 0, description: "1 while the audit log can be written");
    }

    public string Directory { get; }

    /// <summary>False after a failed write, until a write succeeds again; signing is refused meanwhile.</summary>
    public bool IsAvailable => _available;

    /// <summary>Raised (on the writer's thread) when <see cref="IsAvailable"/> changes.</summary>
    public event Action<bool>? AvailabilityChanged;

    /// <summary>Raised on the writer's thread when it moves to a new segment (retention compresses the closed one).</summary>
    public event Action<int>? SegmentRotated
    {
        add => _segments.Rotated += value;
        remove => _segments.Rotated -= value;
    }

    /// <summary>The token that signs checkpoints (and retention's anchors); null when checkpoints are off.</summary>
    internal ICheckpointSigner? Signer => _signer;

    /// <summary>The log's meter (audit.* instruments); retention adds its disk gauges here.</summary>
    internal Meter Meter => _meter;

    /// <summary>The segment being written.</summary>
    public int CurrentSegment => _segments.Index;

    /// <summary>The seq the last checkpoint signs (0: none yet).</summary>
    public long LastCheckpointedSeq => Interlocked.Read(ref _lastCheckpointed);

    /// <summary>The first record kept (1, or where retention's anchor starts the log).</summary>
    public long FirstSeq { get; internal set; }

    /// <summary>The last durable record: its sequence number and hash.</summary>
    public (long Seq, string Hash) Head
    {
        get { lock (_headLock) return (_seq, _head); }
    }

    public async ValueTask RecordAsync(SignDecision decision, CancellationToken cancellationToken) =>
        await AppendAsync(AuditEntry.FromDecision(decision), cancellationToken);

    public void RecordOutcome(SendOutcome outcome)
    {
        // Durable with the next group commit; a failure here is the log's own alarm (AvailabilityChanged).
        _ = AppendAsync(AuditEntry.FromOutcome(outcome), CancellationToken.None).ContinueWith(
            t => t.Exception?.Handle(_ => true), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    /// <summary>Appends any record; completes when it is on disk. Throws SignRefusal AUDIT_UNAVAILABLE when it cannot be.</summary>
    public Task<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var pending = new Pending(entry, new TaskCompletionSource<AuditRecord>(TaskCreationOptions.RunContinuationsAsynchronously));
        Interlocked.Increment(ref _queued);
        if (!_queue.Writer.TryWrite(pending))
        {
            Interlocked.Decrement(ref _queued);
            throw Refusals.AuditUnavailable();
        }
        _wake.Release();
        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Batches written (each one fsync); records / batches is the group-commit factor.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    private void Start()
    {
        // Its own thread: fsync blocks, and a blocked thread-pool thread on a 2-core Pi starves Kestrel.
        new Thread(WriteLoop) { IsBackground = true, Name = "audit-writer" }.Start();
        StartCheckpoints();
    }

    private void WriteLoop()
    {
        try { WriteBatches(); }
        finally { _writerDone.TrySetResult(); }
    }

    private void WriteBatches()
    {
        var reader = _queue.Reader;
        var batch = new List<Pending>();
        while (true)
        {
            _wake.Wait();
            batch.Clear();
            while (batch.Count < _options.MaxBatch && reader.TryRead(out var p)) batch.Add(p);
            if (batch.Count == 0)
            {
                if (reader.Completion.IsCompleted) return;
                continue; // a wake-up for records an earlier batch already took
            }
            Interlocked.Add(ref _queued, -batch.Count);
            try
            {
                var records = Commit(batch.Select(p => p.Entry).ToList());
                Interlocked.Increment(ref _batches);
                SetAvailable(true);
                for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(records[i]);
            }
            catch (Exception e)
            {
                // Nothing of this batch counts: the segment writer cut off what reached the file.
                _logger.LogError("audit write failed, signing stops until it succeeds: {Error}", e.Message);
                SetAvailable(false);
                var refusal = Refusals.AuditUnavailable(); // the cause (a path, an errno) is in the log above, never in a bot's answer
                foreach (var p in batch) p.Done.TrySetException(refusal);
            }
        }
    }

    /// <summary>Chains, writes and fsyncs the entries; moves the head only when they are on disk.</summary>
    private AuditRecord[] Commit(IReadOnlyList<AuditEntry> entries)
    {
        long seq;
        string prev;
        lock (_headLock) (seq, prev) = (_seq, _head);
        _buffer.ResetWrittenCount();
        var records = new AuditRecord[entries.Count];
        var counted = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            var (record, line) = AuditRecordJson.Seal(++seq, entries[i], prev);
            prev = record.Hash;
            records[i] = record;
            _buffer.Write(line);
            if (entries[i].Kind != AuditKind.Checkpoint) counted++;
        }
        var started = _time.GetTimestamp();
        _segments.Append(_buffer.WrittenSpan);
        _fsyncSeconds.Record(_time.GetElapsedTime(started).TotalSeconds);
        bool due;
        lock (_headLock)
        {
            (_seq, _head) = (seq, prev);
            _sinceCheckpoint += counted;
            due = _sinceCheckpoint >= _options.CheckpointEvery;
        }
        if (due) RequestCheckpoint();
        return records;
    }

    private void SetAvailable(bool available)
    {
        if (_available == available) return;
        _available = available;
        if (available) _logger.LogWarning("audit log writable again; signing resumes");
        try { AvailabilityChanged?.Invoke(available); }
        catch (Exception e) { _logger.LogError("audit availability listener failed: {Error}", e.Message); }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await StopCheckpointsAsync();
        try { await AppendAsync(AuditEntry.Note(AuditKind.Stop, _time.GetUtcNow(), "audit log closed"), CancellationToken.None); }
        catch (SignRefusal e) { _logger.LogError("could not record the stop: {Error}", e.Message); }
        await FinalCheckpointAsync();
        _queue.Writer.TryComplete();
        _wake.Release();
        await _writerDone.Task;
        _segments.Dispose();
        _meter.Dispose();
        _writerLock?.Dispose();
    }
}
