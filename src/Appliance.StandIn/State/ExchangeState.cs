using System.Text.Json.Nodes;

namespace Appliance.StandIn;

/// <summary>Where the exchange's order and asset events go (the private WebSocket hub).</summary>
internal interface IExchangeEvents
{
    void Publish(string pocketUuid, string type, string? market, JsonObject message);
}

/// <summary>
/// Everything the stand-in remembers. One lock (<see cref="Gate"/>) guards all of it: the exchange is a
/// test double, and one lock makes every request atomic, so a test never sees half an order.
/// </summary>
internal sealed class ExchangeState
{
    private readonly TimeProvider _time;
    private readonly Dictionary<string, string> _keyPockets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _keyCreated = new(StringComparer.Ordinal);

    public ExchangeState(StandInOptions options, IExchangeEvents events)
    {
        _time = options.TimeProvider;
        Events = events;
        Markets = MarketInfo.Book.ToDictionary(m => m.Id, StringComparer.Ordinal);
        Main = new Pocket(Guid.NewGuid().ToString(), "메인포켓 (stand-in)", isMain: true);
        Sub = new Pocket(Guid.NewGuid().ToString(), "stand-in sub pocket", isMain: false);
        foreach (var (currency, amount) in options.Balances)
        {
            Main[currency].Balance = amount;
        }

        foreach (var (currency, amount) in options.SubPocketBalances)
        {
            Sub[currency].Balance = amount;
        }

        WithdrawAddresses = [.. options.WithdrawAddresses];
    }

    public Lock Gate { get; } = new();

    public IExchangeEvents Events { get; }

    public DateTimeOffset Now => _time.GetUtcNow();

    public IReadOnlyDictionary<string, MarketInfo> Markets { get; }

    public Pocket Main { get; }

    public Pocket Sub { get; }

    public IEnumerable<Pocket> Pockets => [Main, Sub];

    public Dictionary<string, Order> OrdersByUuid { get; } = new(StringComparer.Ordinal);

    public List<Order> Orders { get; } = [];

    /// <summary>Order identifiers ever sent on POST /v1/orders or cancel_and_new: unique forever, even if the request failed.</summary>
    public HashSet<string> UsedOrderIdentifiers { get; } = new(StringComparer.Ordinal);

    public HashSet<string> UsedTransferIdentifiers { get; } = new(StringComparer.Ordinal);

    public List<Withdrawal> Withdrawals { get; } = [];

    public List<Deposit> Deposits { get; } = [];

    public List<PocketTransfer> Transfers { get; } = [];

    public Dictionary<(string Currency, string NetType), string> DepositAddresses { get; } = [];

    public List<StandInWithdrawAddress> WithdrawAddresses { get; }

    public void AssignKey(string accessKey, Pocket pocket)
    {
        _keyPockets[accessKey] = pocket.Uuid;
        _keyCreated.TryAdd(accessKey, Now);
    }

    public Pocket PocketOf(string accessKey) =>
        _keyPockets.TryGetValue(accessKey, out var uuid) && uuid == Sub.Uuid ? Sub : Main;

    public Pocket? PocketByUuid(string uuid) => Pockets.FirstOrDefault(p => p.Uuid == uuid);

    public IEnumerable<(string AccessKey, string PocketUuid, DateTimeOffset ExpireAt)> Keys =>
        _keyPockets.Select(k => (k.Key, k.Value, _keyCreated[k.Key].AddYears(1)));

    public string NewUuid() => Guid.NewGuid().ToString();

    public void PublishOrder(Order order, string state, Trade? trade) =>
        Events.Publish(order.PocketUuid, "myOrder", order.Market.Id, OrderJson.Socket(order, state, trade, Now));

    /// <summary>A myAsset event with the given currencies' new balances (Upbit sends only what changed).</summary>
    public void PublishAssets(Pocket pocket, params string[] currencies)
    {
        var now = Now;
        var assets = new JsonArray();
        foreach (var currency in currencies.Distinct(StringComparer.Ordinal))
        {
            var h = pocket[currency];
            assets.Add(new JsonObject { ["currency"] = currency, ["balance"] = h.Balance, ["locked"] = h.Locked });
        }

        Events.Publish(pocket.Uuid, "myAsset", null, new JsonObject
        {
            ["type"] = "myAsset",
            ["asset_uuid"] = NewUuid(),
            ["assets"] = assets,
            ["asset_timestamp"] = Wire.Millis(now),
            ["timestamp"] = Wire.Millis(now),
            ["stream_type"] = "REALTIME",
        });
    }
}
