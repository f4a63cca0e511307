using Appliance.Policy;
using Microsoft.Extensions.Logging;

namespace Appliance.Audit;

/// <summary>
/// The server's side of anchoring: writes every version the <see cref="PolicyGate"/> accepts (and every removal) to
/// the audit log, a snapshot of all floors when it starts and then every <see cref="SnapshotEvery"/> records, each
/// followed by a checkpoint so the snapshot is covered by the audit key's signature. An anchor that cannot be written
/// now is kept and written with the next one; the floor already holds in memory.
/// </summary>
public sealed class PolicyAnchoring : IAsyncDisposable
{
    public const long SnapshotEvery = 10_000;

    private readonly PolicyGate _gate;
    private readonly FileAuditLog _audit;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly List<PolicyAnchor> _unwritten = [];
    private readonly ITimer _timer;
    private long _snapshotSeq;
    private int _disposed;

    private PolicyAnchoring(PolicyGate gate, FileAuditLog audit, TimeProvider time, ILogger logger, TimeSpan checkInterval)
    {
        (_gate, _audit, _time, _logger) = (gate, audit, time, logger);
        _gate.AnchorsPending += OnPending;
        _timer = time.CreateTimer(_ => _ = SnapshotIfDueAsync(), null, checkInterval, checkInterval);
    }

    /// <summary>Writes what the gate accepted so far and a snapshot, then keeps anchoring.</summary>
    public static async Task<PolicyAnchoring> StartAsync(PolicyGate gate, FileAuditLog audit, TimeProvider time, ILogger logger,
        TimeSpan? checkInterval = null, CancellationToken cancellationToken = default)
    {
        var anchoring = new PolicyAnchoring(gate, audit, time, logger, checkInterval ?? TimeSpan.FromSeconds(30));
        await anchoring.FlushAsync(cancellationToken);
        await anchoring.SnapshotAsync(cancellationToken);
        return anchoring;
    }

    /// <summary>Writes every pending anchor; completes when they are durable.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            _unwritten.AddRange(_gate.TakePendingAnchors());
            while (_unwritten.Count > 0)
            {
                var anchor = _unwritten[0];
                await _audit.AppendAsync(PolicyAnchorLog.Anchor(anchor, _time.GetUtcNow()), cancellationToken);
                _unwritten.RemoveAt(0);
                _logger.LogInformation("policy: anchored {Record} version {Version} ({Change})", anchor.Key, anchor.Version, anchor.Change);
            }
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>Writes the floors of every record and has the audit key sign a checkpoint over them.</summary>
    public async Task SnapshotAsync(CancellationToken cancellationToken)
    {
        var record = await _audit.AppendAsync(PolicyAnchorLog.Snapshot(_gate.Floors, _time.GetUtcNow()), cancellationToken);
        Interlocked.Exchange(ref _snapshotSeq, record.Seq);
        try { await _audit.CheckpointAsync(cancellationToken); }
        catch (InvalidOperationException) { } // a log without a checkpoint signer: the snapshot counts only as anchors
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning("policy snapshot not checkpointed yet ({Error}); the next checkpoint covers it", e.Message);
        }
    }

    private void OnPending() => _ = FlushLoggedAsync();

    private async Task FlushLoggedAsync()
    {
        try { await FlushAsync(CancellationToken.None); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogError("policy anchor not written yet, will retry with the next: {Error}", e.Message);
        }
    }

    private async Task SnapshotIfDueAsync()
    {
        if (Volatile.Read(ref _disposed) != 0 || _audit.Head.Seq - Interlocked.Read(ref _snapshotSeq) < SnapshotEvery) return;
        try
        {
            await FlushAsync(CancellationToken.None);
            await SnapshotAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogWarning("policy snapshot not written, will retry: {Error}", e.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _gate.AnchorsPending -= OnPending;
        await _timer.DisposeAsync();
        await FlushLoggedAsync();
        _writing.Dispose();
    }
}
