namespace Appliance.Orders;

/// <summary>Which bot an order is for: recorded before the order is sent, its uuid added from Upbit's answer.</summary>
public sealed record OwnedOrder(string Bot, string Identifier, string? Market, decimal? Volume, DateTimeOffset Placed)
{
    public string? Uuid { get; init; }
}

/// <summary>
/// The owners of orders placed through the appliance, by identifier and by uuid. The durable record is
/// the audit decision (bot, identifier, market) written before the order leaves, plus the outcome record
/// (uuid); this index is rebuilt from them at start. Entries are pruned <see cref="Keep"/> after the
/// order was placed (Upbit closes most orders long before; a bot that needs older ones gets --all-orders).
/// </summary>
public sealed class OrderOwners(TimeProvider time, TimeSpan? keep = null)
{
    private readonly Dictionary<string, OwnedOrder> _byIdentifier = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OwnedOrder> _byUuid = new(StringComparer.OrdinalIgnoreCase);
    private readonly Queue<(DateTimeOffset At, string Identifier)> _order = new();
    private readonly Lock _lock = new();

    public TimeSpan Keep { get; } = keep ?? TimeSpan.FromDays(7);

    public void Placed(string bot, string identifier, string? market, decimal? volume, DateTimeOffset at)
    {
        lock (_lock)
        {
            Prune();
            if (at < time.GetUtcNow() - Keep || _byIdentifier.ContainsKey(identifier)) return;
            _byIdentifier[identifier] = new OwnedOrder(bot, identifier, market, volume, at);
            _order.Enqueue((at, identifier));
        }
    }

    /// <summary>Upbit's answer named the order's uuid.</summary>
    public void Answered(string identifier, string uuid)
    {
        lock (_lock)
        {
            if (!_byIdentifier.TryGetValue(identifier, out var order)) return;
            var known = order with { Uuid = uuid };
            _byIdentifier[identifier] = known;
            _byUuid[uuid] = known;
        }
    }

    public OwnedOrder? ByIdentifier(string identifier)
    {
        lock (_lock) return _byIdentifier.GetValueOrDefault(identifier);
    }

    public OwnedOrder? ByUuid(string uuid)
    {
        lock (_lock) return _byUuid.GetValueOrDefault(uuid);
    }

    public int Count
    {
        get { lock (_lock) return _byIdentifier.Count; }
    }

    private void Prune()
    {
        var before = time.GetUtcNow() - Keep;
        while (_order.TryPeek(out var head) && head.At < before)
        {
            _order.Dequeue();
            if (_byIdentifier.Remove(head.Identifier, out var gone) && gone.Uuid is { } uuid) _byUuid.Remove(uuid);
        }
    }
}
