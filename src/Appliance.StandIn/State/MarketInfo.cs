namespace Appliance.StandIn;

/// <summary>
/// One market of the stand-in's fixed price book: every market/best order fills at <see cref="Price"/>.
/// Fee and minimum order total per quote currency follow Upbit's published schedule (KRW 0.05 %, min
/// 5,000 KRW; BTC/USDT 0.25 %).
/// </summary>
internal sealed record MarketInfo(string Id, string KoreanName, string EnglishName, decimal Price)
{
    public string Quote => Id[..Id.IndexOf('-')];

    public string Base => Id[(Id.IndexOf('-') + 1)..];

    public decimal FeeRate => Quote == "KRW" ? 0.0005m : 0.0025m;

    public decimal MinTotal => Quote switch
    {
        "KRW" => 5000m,
        "BTC" => 0.00005m,
        _ => 0.5m,
    };

    /// <summary>A handful of KRW, BTC and USDT markets at round, obviously fake prices.</summary>
    public static IReadOnlyList<MarketInfo> Book { get; } =
    [
        new("KRW-BTC", "비트코인", "Bitcoin", 100_000_000m),
        new("KRW-ETH", "이더리움", "Ethereum", 5_000_000m),
        new("KRW-XRP", "리플", "XRP", 1_000m),
        new("KRW-USDT", "테더", "Tether", 1_400m),
        new("BTC-ETH", "이더리움", "Ethereum", 0.05m),
        new("BTC-XRP", "리플", "XRP", 0.00001m),
        new("USDT-BTC", "비트코인", "Bitcoin", 70_000m),
        new("USDT-ETH", "이더리움", "Ethereum", 3_500m),
    ];
}
