namespace Appliance.StandIn;

/// <summary>An address on the stand-in's withdrawal allowlist (Upbit: registered on the website only).</summary>
public sealed record StandInWithdrawAddress(string Currency, string NetType, string Address, string? SecondaryAddress = null);

/// <summary>How a <see cref="StandInExchange"/> starts. Every property has a working default.</summary>
public sealed class StandInOptions
{
    /// <summary>Clock for created_at, token expiry, fault delays and the WebSocket idle timeout.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where the stand-in writes its banner and one line per request; null writes to stderr.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Opening balances of the main pocket (currency → amount).</summary>
    public IReadOnlyDictionary<string, decimal> Balances { get; init; } = new Dictionary<string, decimal>
    {
        ["KRW"] = 100_000_000m,
        ["BTC"] = 1m,
        ["ETH"] = 10m,
        ["XRP"] = 10_000m,
        ["USDT"] = 10_000m,
    };

    /// <summary>Opening balances of the one sub-pocket.</summary>
    public IReadOnlyDictionary<string, decimal> SubPocketBalances { get; init; } = new Dictionary<string, decimal>
    {
        ["KRW"] = 1_000_000m,
    };

    /// <summary>The withdrawal allowlist; POST /v1/withdraws/coin to any other address is 400 withdraw_address_not_registered.</summary>
    public IReadOnlyList<StandInWithdrawAddress> WithdrawAddresses { get; init; } =
    [
        new("BTC", "BTC", "bc1qexampleaddress0000000000000000000000"),
        new("ETH", "ETH", "0x000000000000000000000000000000000000dEaD"),
        new("XRP", "XRP", "rStandInExampleAddressNotUpbit000", "1234"),
    ];

    /// <summary>
    /// Multiplies the per-second budgets Remaining-Req reports (Upbit's: 30/s default, 12/s order, …).
    /// Tests that send faster than Upbit allows raise it; 1 reports Upbit's own numbers.
    /// </summary>
    public int RemainingReqScale { get; init; } = 1;

    /// <summary>Upbit closes a private WebSocket after ~120 s without data either way.</summary>
    public TimeSpan WebSocketIdleTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Upbit's message limit per private WebSocket connection: 5 per second and 100 per minute (rate-limits page).
    /// A client past it gets an error frame and the connection is closed (what Upbit then does is not documented; inferred).
    /// </summary>
    public (int PerSecond, int PerMinute) WebSocketMessageLimit { get; init; } = (5, 100);
}
