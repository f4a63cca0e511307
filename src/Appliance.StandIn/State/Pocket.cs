namespace Appliance.StandIn;

/// <summary>One currency in a pocket: <see cref="Balance"/> is orderable, <see cref="Locked"/> is tied up in orders/withdrawals.</summary>
internal sealed class Holding
{
    public decimal Balance { get; set; }

    public decimal Locked { get; set; }

    public decimal AvgBuyPrice { get; set; }
}

/// <summary>An Upbit pocket (main or sub): its own balances. Callers hold <see cref="ExchangeState.Gate"/>.</summary>
internal sealed class Pocket(string uuid, string name, bool isMain)
{
    private readonly SortedDictionary<string, Holding> _holdings = new(StringComparer.Ordinal);

    public string Uuid { get; } = uuid;

    public string Name { get; } = name;

    public bool IsMain { get; } = isMain;

    public IEnumerable<KeyValuePair<string, Holding>> Holdings => _holdings;

    public Holding this[string currency]
    {
        get
        {
            if (!_holdings.TryGetValue(currency, out var holding))
            {
                holding = new Holding();
                _holdings[currency] = holding;
            }

            return holding;
        }
    }

    public bool Has(string currency) => _holdings.TryGetValue(currency, out var h) && (h.Balance != 0 || h.Locked != 0);

    /// <summary>Moves <paramref name="amount"/> from orderable to locked; false (nothing changed) if there is not enough.</summary>
    public bool TryLock(string currency, decimal amount)
    {
        var h = this[currency];
        if (h.Balance < amount)
        {
            return false;
        }

        h.Balance -= amount;
        h.Locked += amount;
        return true;
    }

    public void Unlock(string currency, decimal amount)
    {
        var h = this[currency];
        h.Locked -= amount;
        h.Balance += amount;
    }
}
