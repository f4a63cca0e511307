using System.Diagnostics.Metrics;
using Appliance.Common;
using Appliance.Policy;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Audit;

/// <summary>
/// Opening the log: lock it for this process, verify the tail from the last checkpoint, load the
/// withdrawal totals, record the start, and sign a checkpoint over whatever a crash left unsigned.
/// </summary>
public sealed partial class FileAuditLog
{
    /// <summary>Locked (<see cref="DirectoryLock"/>) by the process that writes the log, beside the data dir's own lock.</summary>
    public const string WriterLockFileName = "writer.lock";

    private DirectoryLock? _writerLock;
    private WithdrawalTotalsFile? _totals;

    /// <summary>The 24 h withdrawal totals, kept beside the log and anchored by its checkpoints (<see cref="WithdrawalTotalsFile"/>).</summary>
    public IWithdrawalLedger WithdrawalTotals => _totals ?? throw new InvalidOperationException("The audit log is not open.");

    /// <summary>What the start found that the operator must hear about (the alert monitor raises each one).</summary>
    public IReadOnlyList<string> StartWarnings { get; private set; } = [];

    /// <summary>How many records the start verified: from the last checkpoint's record to the head.</summary>
    public int StartVerifiedRecords { get; private set; }

    /// <summary>
    /// Opens (or creates) the log. Takes the writer lock first (a second process is refused before it
    /// writes a byte), verifies the chain from the last checkpoint to the end, cuts off a torn last line
    /// and records that it did, loads (or rebuilds) the withdrawal totals, records the start and, if the
    /// recovered tail holds records no checkpoint covers (a crash), signs a checkpoint over them now.
    /// <paramref name="checkpointSigner"/> null: no checkpoints. Throws when the log cannot be written or
    /// is damaged after its last checkpoint: the server must not start.
    /// </summary>
    public static FileAuditLog Open(string directory, ICheckpointSigner? checkpointSigner, FileAuditLogOptions? options = null,
        TimeProvider? time = null, ILogger? logger = null, IMeterFactory? meters = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        options ??= new FileAuditLogOptions();
        options.Validate();
        time ??= TimeProvider.System;
        logger ??= NullLogger.Instance;
        AtomicFile.CreatePrivateDirectory(directory);
        var full = Path.GetFullPath(directory);
        var writerLock = DirectoryLock.Acquire(full, WriterLockFileName, pid =>
            $"The audit log in {full} is already open for writing{(pid is { } p ? $" by process {p}" : "")}; two writers would break its chain. Stop the other appliance first.");
        FileAuditLog? log = null;
        try
        {
            var head = AuditRecovery.Recover(full, options.Disk);
            log = new FileAuditLog(full, head, checkpointSigner, options, time, logger, meters) { _writerLock = writerLock };
            log.StartVerifiedRecords = head.Tail.Count;
            var opened = log;
            log._totals = WithdrawalTotalsFile.Open(full, head, time, () => opened.Head, logger);
            var warnings = new List<string>();
            if (log._totals.Rebuilt is { } rebuilt)
            {
                logger.LogWarning("{Warning}", rebuilt);
                warnings.Add(rebuilt);
            }

            // Written before the writer starts, on this thread, through the same commit path.
            var first = new List<AuditEntry>();
            if (head.TruncationNote is { } note)
                first.Add(AuditEntry.Note(AuditKind.Truncation, time.GetUtcNow(), note));
            first.Add(AuditEntry.Note(AuditKind.Start, time.GetUtcNow(),
                $"audit log opened after record {head.Seq} (verified from record {(head.Tail.Count > 0 ? head.Tail[0].Seq : head.Seq)}); " +
                $"checkpoints {(checkpointSigner is null ? "off" : "signed by " + checkpointSigner.Description)}"));
            log.Commit(first);
            // A crash-looping appliance must still get its records signed: cover the recovered tail now.
            if (checkpointSigner is not null && head.Uncovered > 0) log.CheckpointAtStart();
            log.StartWarnings = warnings;
        }
        catch
        {
            log?._segments.Dispose();
            log?._meter.Dispose();
            writerLock.Dispose();
            throw;
        }
        log.Start();
        return log;
    }

    private void CheckpointAtStart()
    {
        try
        {
            long seq, since;
            string head;
            lock (_headLock) (seq, head, since) = (_seq, _head, _sinceCheckpoint);
            Commit([SignCheckpoint(seq, head)]);
            lock (_headLock) _sinceCheckpoint -= since;
            Interlocked.Exchange(ref _lastCheckpointed, seq);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The token may be out: the records stay chained, the count goes on, and the next checkpoint covers them.
            _logger.LogWarning("no checkpoint at start, the next one covers the recovered records: {Error}", e.Message);
        }
    }

    /// <summary>
    /// Anchors the withdrawal totals at the record about to be signed, then signs it: the totals file is
    /// never older than the last checkpoint, so the next start finds its anchor in the tail it verifies.
    /// </summary>
    private AuditEntry SignCheckpoint(long seq, string head)
    {
        _totals?.Stamp((seq, head));
        var signature = _signer!.Sign(AuditCheckpointSigning.Digest(seq, head));
        return new AuditEntry
        {
            Kind = AuditKind.Checkpoint,
            Time = _time.GetUtcNow(),
            Checkpoint = new AuditCheckpoint(seq, head, _signer.KeyName, Convert.ToBase64String(signature)),
        };
    }
}
