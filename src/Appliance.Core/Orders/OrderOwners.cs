using Appliance.Common;

namespace Appliance.Orders;

/// <summary>Which bot an order is for (recorded before the order is sent) and the volume it was placed with.</summary>
public sealed record OwnedOrder(string Bot, decimal? Volume);

/// <summary>
/// The owners of orders placed through the appliance, by identifier and by uuid. The durable record is
/// the audit decision (bot, identifier, market) written before the order leaves, plus the outcome record
/// (uuid); this index is rebuilt from them at start. Entries are pruned <see cref="Keep"/> after the
/// order was placed (Upbit closes most orders long before; a bot that needs older ones gets --all-orders), or
/// sooner, oldest generation first, when more than <see cref="MaxOrders"/> are held: at Upbit's 12 orders/s kept
/// up all week the index would otherwise reach ~850 MB, more than a Pi should give it. An owner forgotten early
/// fails closed (ORDER_NOT_OWNED), never open.
/// Compact, since it holds a week of orders: an identifier is kept as 16 bytes of its hash, the bot as an index
/// into a small name table, a uuid as a Guid (Upbit's are); see <see cref="OrderBook"/>. Only what ownership
/// and cancel_and_new's remain_only need is kept: the market and the time are in the audit record.
/// </summary>
public sealed class OrderOwners(TimeProvider time, TimeSpan? keep = null, int maxOrders = OrderOwners.DefaultMaxOrders)
{
    /// <summary>About 120–170 MB of index; a week of orders at an average of 1.6 per second.</summary>
    public const int DefaultMaxOrders = 1_000_000;

    private readonly OrderBook _book = new((keep ?? TimeSpan.FromDays(7)).Ticks / 24, maxOrders);
    private readonly Lock _lock = new();

    public TimeSpan Keep { get; } = keep ?? TimeSpan.FromDays(7);

    public int MaxOrders { get; } = maxOrders;

    /// <param name="market">Not kept (ownership does not need it); the audit decision record has it.</param>
    public void Placed(string bot, string identifier, string? market, decimal? volume, DateTimeOffset at)
    {
        lock (_lock)
        {
            Prune();
            if (at < time.GetUtcNow() - Keep) return;
            _book.Add(Key128.Of(identifier), bot, volume, at.UtcTicks);
        }
    }

    /// <summary>Upbit's answer named the order's uuid.</summary>
    public void Answered(string identifier, string uuid)
    {
        lock (_lock) _book.SetUuid(Key128.Of(identifier), uuid);
    }

    public OwnedOrder? ByIdentifier(string identifier)
    {
        var key = Key128.Of(identifier);
        lock (_lock) return _book.Find(key);
    }

    public OwnedOrder? ByUuid(string uuid)
    {
        lock (_lock) return _book.FindByUuid(uuid);
    }

    public int Count
    {
        get { lock (_lock) return _book.Count; }
    }

    private void Prune() => _book.Drop(time.GetUtcNow().UtcTicks - Keep.Ticks);
}
