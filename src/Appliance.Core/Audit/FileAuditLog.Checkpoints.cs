using System.Threading.Channels;
using Appliance.Common;
using Microsoft.Extensions.Logging;

namespace Appliance.Audit;

/// <summary>
/// Checkpoints: every N records or T seconds (if anything was written since) and at shutdown, the
/// head hash signed with the token's audit key. Signing runs on this loop, never on a request's
/// path (a YubiKey takes ~70 ms), and the checkpoint record joins the queue like any other.
/// </summary>
public sealed partial class FileAuditLog
{
    private readonly Channel<bool> _checkpointDue = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly SemaphoreSlim _checkpointGate = new(1, 1);
    private readonly CancellationTokenSource _stopCheckpoints = new();
    private Task _checkpointLoop = Task.CompletedTask;

    private void StartCheckpoints()
    {
        if (_signer is not null) _checkpointLoop = Task.Run(() => CheckpointLoopAsync(_stopCheckpoints.Token));
    }

    private void RequestCheckpoint() => _checkpointDue.Writer.TryWrite(true);

    private async Task CheckpointLoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stop))
            {
                var tick = Task.Delay(_options.CheckpointInterval, _time, wait.Token);
                var due = _checkpointDue.Reader.WaitToReadAsync(wait.Token).AsTask();
                await Task.WhenAny(tick, due).ConfigureAwait(false);
                await wait.CancelAsync();
            }
            _checkpointDue.Reader.TryRead(out _);
            if (stop.IsCancellationRequested) return;
            await TryCheckpointAsync(stop).ConfigureAwait(false);
        }
    }

    /// <summary>Signs the current head now, if anything was written since the last checkpoint. Null: nothing to sign.</summary>
    public async Task<AuditRecord?> CheckpointAsync(CancellationToken cancellationToken)
    {
        if (_signer is null) throw new InvalidOperationException("This audit log was opened without a token, so it cannot sign checkpoints.");
        await _checkpointGate.WaitAsync(cancellationToken);
        try
        {
            long seq, since;
            string head;
            lock (_headLock) (seq, head, since) = (_seq, _head, _sinceCheckpoint);
            if (since == 0) return null;
            var entry = await Task.Run(() => SignCheckpoint(seq, head), cancellationToken);
            var record = await AppendAsync(entry, cancellationToken);
            lock (_headLock) _sinceCheckpoint -= since;
            Interlocked.Exchange(ref _lastCheckpointed, seq);
            return record;
        }
        finally
        {
            _checkpointGate.Release();
        }
    }

    private async Task TryCheckpointAsync(CancellationToken cancellationToken)
    {
        try { await CheckpointAsync(cancellationToken); }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The token may be out (unplugged) or the disk down; the records stay chained and the next checkpoint covers them.
            _logger.LogWarning("audit checkpoint not written, will retry: {Error}", e is SignRefusal ? e.Message : $"{e.GetType().Name}: {e.Message}");
        }
    }

    private async Task StopCheckpointsAsync()
    {
        await _stopCheckpoints.CancelAsync();
        await _checkpointLoop;
    }

    private async Task FinalCheckpointAsync()
    {
        if (_signer is not null) await TryCheckpointAsync(CancellationToken.None);
        _stopCheckpoints.Dispose();
        _checkpointGate.Dispose();
    }
}
