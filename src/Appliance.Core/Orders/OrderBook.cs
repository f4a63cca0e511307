using Appliance.Common;

namespace Appliance.Orders;

/// <summary>
/// <see cref="OrderOwners"/>' storage, compact because it holds a week of orders: per order a 24-byte struct (bot
/// index, volume) keyed by its identifier's 16-byte hash, and a Guid → key entry for its uuid, in generations of
/// keep/24 (7 h for 7 days). A generation is dropped whole, uuids with it, so no per-order expiry queue is needed
/// and each array is a 24th of the week's. Not thread-safe: the owner locks.
/// </summary>
internal sealed class OrderBook(long spanTicks, int maxOrders = int.MaxValue)
{
    private readonly long _span = Math.Max(1, spanTicks);
    private readonly int _max = maxOrders > 0 ? maxOrders : throw new ArgumentOutOfRangeException(nameof(maxOrders), "Keep at least one order.");
    private readonly List<Generation> _generations = []; // ascending slots
    private readonly List<string> _bots = [];
    private readonly Dictionary<string, int> _botIndex = new(StringComparer.Ordinal);

    public int Count => _generations.Sum(g => g.Orders.Count);

    public void Add(Key128 key, string bot, decimal? volume, long placedTicks)
    {
        if (TryFind(key, out _, out _)) return;
        For(placedTicks / _span).Orders[key] = new Order(Bot(bot), volume ?? 0, volume is not null);
        // Past the cap the oldest generation goes whole, as if its time had come (the newest always stays).
        while (_generations.Count > 1 && Count > _max) _generations.RemoveAt(0);
    }

    public void SetUuid(Key128 key, string uuid)
    {
        if (!TryFind(key, out var g, out _)) return;
        if (Guid.TryParse(uuid, out var guid)) g.Uuids[guid] = key; // Upbit's uuids are Guids
        else (g.OddUuids ??= new(StringComparer.OrdinalIgnoreCase))[uuid] = key;
    }

    public OwnedOrder? Find(Key128 key) => TryFind(key, out _, out var order) ? Owned(order) : null;

    public OwnedOrder? FindByUuid(string uuid)
    {
        var isGuid = Guid.TryParse(uuid, out var guid);
        for (var i = _generations.Count - 1; i >= 0; i--)
        {
            var g = _generations[i];
            Key128 key = default;
            var found = isGuid ? g.Uuids.TryGetValue(guid, out key) : g.OddUuids is { } odd && odd.TryGetValue(uuid, out key);
            if (found && g.Orders.TryGetValue(key, out var order)) return Owned(order);
        }
        return null;
    }

    /// <summary>Drops every generation whose newest order was placed before <paramref name="beforeTicks"/>.</summary>
    public void Drop(long beforeTicks)
    {
        while (_generations.Count > 0 && (_generations[0].Slot + 1) * _span <= beforeTicks) _generations.RemoveAt(0);
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

    private OwnedOrder Owned(Order order) => new(_bots[order.Bot], order.HasVolume ? order.Volume : null);

    /// <summary>Bot names are few: each is kept once and referred to by its index.</summary>
    private int Bot(string name)
    {
        if (_botIndex.TryGetValue(name, out var i)) return i;
        _bots.Add(name);
        return _botIndex[name] = _bots.Count - 1;
    }

    private Generation For(long slot)
    {
        var i = _generations.Count;
        while (i > 0 && _generations[i - 1].Slot > slot) i--;
        if (i > 0 && _generations[i - 1].Slot == slot) return _generations[i - 1];
        var created = new Generation(slot);
        _generations.Insert(i, created);
        if (i > 0) _generations[i - 1].TrimExcess(); // done growing (uuids still come, a few): give back its slack
        return created;
    }

    private readonly record struct Order(int Bot, decimal Volume, bool HasVolume);

    private sealed class Generation(long slot)
    {
        public long Slot { get; } = slot;
        public Dictionary<Key128, Order> Orders { get; } = new();
        public Dictionary<Guid, Key128> Uuids { get; } = new();
        public Dictionary<string, Key128>? OddUuids { get; set; } // a uuid that is not a Guid: tests and stand-ins

        public void TrimExcess()
        {
            Orders.TrimExcess();
            Uuids.TrimExcess();
        }
    }
}
