namespace Appliance.Streams;

/// <summary>At most N upstream connects in any second, across every credential (Upbit's WebSocket connect limit).</summary>
internal sealed class ConnectPacer(TimeProvider time, int perSecond)
{
    private readonly Queue<DateTimeOffset> _recent = new();
    private readonly Lock _lock = new();

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_lock)
            {
                var now = time.GetUtcNow();
                while (_recent.TryPeek(out var at) && now - at >= TimeSpan.FromSeconds(1)) _recent.Dequeue();
                if (_recent.Count < perSecond)
                {
                    _recent.Enqueue(now);
                    return;
                }
                wait = _recent.Peek() + TimeSpan.FromSeconds(1) - now;
            }
            await Task.Delay(wait, time, cancellationToken);
        }
    }
}
