using Appliance.Upbit;

namespace Appliance.Pipeline;

/// <summary>
/// Upbit's exchange request limits per group and pocket (upbit-api.md §4). Every group is settable
/// (appliance.json "rates") because sources disagree and Upbit changes them after a notice.
/// </summary>
public sealed record UpbitRates
{
    /// <summary>The most appliance.json accepts for a group: far above Upbit's, for benchmarks against a stand-in.</summary>
    public const int MaxPerSecond = 1_000_000;

    /// <summary>Group "default": everything that is not an order, 30/s.</summary>
    public int DefaultPerSecond { get; init; } = 30;

    /// <summary>Group "order": 12/s since 2026-08-21; 8/s before, which ccxt still assumes.</summary>
    public int OrderPerSecond { get; init; } = 12;

    /// <summary>Group "order-test".</summary>
    public int OrderTestPerSecond { get; init; } = 8;

    /// <summary>Group "order-cancel-all": one request per this interval (two seconds).</summary>
    public TimeSpan CancelAllInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>At most <c>Capacity</c> requests in any <c>Period</c>.</summary>
    public (int Capacity, TimeSpan Period) For(RateGroup group) => group switch
    {
        RateGroup.Order => (OrderPerSecond, TimeSpan.FromSeconds(1)),
        RateGroup.OrderTest => (OrderTestPerSecond, TimeSpan.FromSeconds(1)),
        RateGroup.OrderCancelAll => (1, CancelAllInterval),
        RateGroup.Default => (DefaultPerSecond, TimeSpan.FromSeconds(1)),
        _ => throw new ArgumentOutOfRangeException(nameof(group), group, "Not a defined RateGroup value."),
    };
}
