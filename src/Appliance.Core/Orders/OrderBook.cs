using Appliance.Common;

namespace Appliance.Orders;

/// <summary>
/// <see cref="OrderOwners"/>' storage: one 64-byte struct per order keyed by its identifier's hash, a Guid → key
/// index for uuids, in generations of keep/24 (7 h for 7 days) that are dropped whole, so no per-order expiry
/// queue is needed and each array is a 24th of the week's. Not thread-safe: the owner locks.
/// </summary>
internal sealed class OrderBook(long spanTicks)
{
    private const int MaxNames = 10_000;
    private readonly long _span = Math.Max(1, spanTicks);
    private readonly List<Generation> _generations = []; // ascending slots
    private readonly Dictionary<Guid, Key128> _byUuid = new();
    private readonly Dictionary<string, Key128> _byOddUuid = new(StringComparer.OrdinalIgnoreCase); // a uuid that is not a Guid
    private readonly List<string> _names = [];
    private readonly Dictionary<string, int> _nameIndex = new(StringComparer.Ordinal);

    public int Count => _generations.Sum(g => g.Orders.Count);

    public void Add(Key128 key, string bot, string? market, decimal? volume, long placedTicks)
    {
        if (TryFind(key, out _, out _)) return;
        // Markets are only informational here: past a bound of distinct names a market is not kept, so a bot
        // inventing market names cannot grow the table.
        var marketIndex = market is null || (_names.Count >= MaxNames && !_nameIndex.ContainsKey(market)) ? -1 : Name(market);
        For(placedTicks / _span).Orders[key] = new Order(Name(bot), marketIndex, placedTicks,
            volume ?? 0, Guid.Empty, volume is null ? (byte)0 : Order.HasVolume);
    }

    public void SetUuid(Key128 key, string uuid)
    {
        if (!TryFind(key, out var g, out var order)) return;
        if (Guid.TryParse(uuid, out var guid))
        {
            g.Orders[key] = order with { Uuid = guid };
            _byUuid[guid] = key;
        }
        else
        {
            g.Orders[key] = order with { Flags = (byte)(order.Flags | Order.OddUuid) };
            _byOddUuid[uuid] = key;
            g.OddUuids.Add(uuid);
        }
    }

    public OwnedOrder? Find(Key128 key) => TryFind(key, out _, out var order) ? Owned(order, null) : null;

    public OwnedOrder? FindByUuid(string uuid)
    {
        var found = Guid.TryParse(uuid, out var guid) ? _byUuid.TryGetValue(guid, out var key) : _byOddUuid.TryGetValue(uuid, out key);
        return found && TryFind(key, out _, out var order) ? Owned(order, uuid) : null;
    }

    /// <summary>Drops every generation whose newest order was placed before <paramref name="beforeTicks"/>.</summary>
    public void Drop(long beforeTicks)
    {
        while (_generations.Count > 0 && (_generations[0].Slot + 1) * _span <= beforeTicks)
        {
            var gone = _generations[0];
            _generations.RemoveAt(0);
            foreach (var order in gone.Orders.Values)
                if (order.Uuid != Guid.Empty) _byUuid.Remove(order.Uuid);
            foreach (var odd in gone.OddUuids) _byOddUuid.Remove(odd);
        }
        if (_byUuid.Count == 0 && _byUuid.Capacity > 4096) _byUuid.TrimExcess();
    }

    private bool TryFind(Key128 key, out Generation generation, out Order order)
    {
        for (var i = _generations.Count - 1; i >= 0; i--)
        {
            generation = _generations[i];
            if (generation.Orders.TryGetValue(key, out order)) return true;
        }
        (generation, order) = (null!, default);
        return false;
    }

    private OwnedOrder Owned(Order order, string? uuid) =>
        new(_names[order.Bot], order.Market < 0 ? null : _names[order.Market], (order.Flags & Order.HasVolume) != 0 ? order.Volume : null,
            new DateTimeOffset(order.PlacedTicks, TimeSpan.Zero))
        { Uuid = order.Uuid != Guid.Empty ? order.Uuid.ToString() : uuid };

    /// <summary>Bot and market names are few: each is kept once and referred to by its index.</summary>
    private int Name(string name)
    {
        if (_nameIndex.TryGetValue(name, out var i)) return i;
        _names.Add(name);
        return _nameIndex[name] = _names.Count - 1;
    }

    private Generation For(long slot)
    {
        var i = _generations.Count;
        while (i > 0 && _generations[i - 1].Slot > slot) i--;
        if (i > 0 && _generations[i - 1].Slot == slot) return _generations[i - 1];
        var created = new Generation(slot);
        _generations.Insert(i, created);
        if (i > 0) _generations[i - 1].Orders.TrimExcess(); // done growing: give back its slack
        return created;
    }

    private readonly record struct Order(int Bot, int Market, long PlacedTicks, decimal Volume, Guid Uuid, byte Flags)
    {
        public const byte HasVolume = 1;
        public const byte OddUuid = 2;
    }

    private sealed class Generation(long slot)
    {
        public long Slot { get; } = slot;
        public Dictionary<Key128, Order> Orders { get; } = new();
        public List<string> OddUuids { get; } = [];
    }
}
