namespace Appliance.StandIn;

/// <summary>One execution of an order.</summary>
internal sealed record Trade(string Uuid, string Market, string Side, decimal Price, decimal Volume, decimal Funds, decimal Fee, DateTimeOffset CreatedAt);

/// <summary>
/// A stand-in order, mutable under <see cref="ExchangeState.Gate"/>. Field meanings follow Upbit's order
/// object (docs "주문 취소 접수"/"개별 주문 조회" response tables): volume/price are what was asked,
/// locked is what is still tied up (quote incl. fee for bids, base for asks).
/// </summary>
internal sealed class Order
{
    public required string Uuid { get; init; }

    public required string PocketUuid { get; init; }

    public required MarketInfo Market { get; init; }

    public required string Side { get; init; }

    public required string OrdType { get; init; }

    public required decimal? Price { get; init; }

    public required decimal? Volume { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public string? Identifier { get; init; }

    public string? TimeInForce { get; init; }

    public string? SmpType { get; init; }

    public string State { get; set; } = "wait";

    public decimal? RemainingVolume { get; set; }

    public decimal ExecutedVolume { get; set; }

    public decimal ExecutedFunds { get; set; }

    public decimal ReservedFee { get; set; }

    public decimal RemainingFee { get; set; }

    public decimal PaidFee { get; set; }

    public decimal Locked { get; set; }

    public List<Trade> Trades { get; } = [];

    /// <summary>True while <see cref="Locked"/> is actually held in the pocket (false for orders refused before locking).</summary>
    public bool HoldsLock { get; set; }

    public bool IsBid => Side == "bid";

    public decimal? AvgPrice => ExecutedVolume == 0 ? null : Wire.Round8(ExecutedFunds / ExecutedVolume);
}
