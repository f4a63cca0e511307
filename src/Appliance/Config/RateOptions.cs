using System.Text.Json.Serialization;
using Appliance.Pipeline;

namespace Appliance.Config;

/// <summary>
/// appliance.json "rates": Upbit's exchange limits per pocket, one per group (upbit-api.md §4). The defaults are
/// Upbit's published numbers; change them when Upbit announces new ones, or raise them to benchmark against a
/// stand-in. A bot's own rate is in its profile (<c>bots add --rate</c>), not here.
/// </summary>
public sealed record RateOptions
{
    /// <summary>Group "default" (accounts, order lookups and single cancels, withdrawals, …): 30/s.</summary>
    [JsonPropertyName("default_per_second")] public int DefaultPerSecond { get; init; } = new UpbitRates().DefaultPerSecond;

    /// <summary>Group "order" (POST /v1/orders, cancel_and_new): 12/s since 2026-08-21, 8/s before.</summary>
    [JsonPropertyName("order_per_second")] public int OrderPerSecond { get; init; } = new UpbitRates().OrderPerSecond;

    /// <summary>Group "order-test" (POST /v1/orders/test): 8/s.</summary>
    [JsonPropertyName("order_test_per_second")] public int OrderTestPerSecond { get; init; } = new UpbitRates().OrderTestPerSecond;

    /// <summary>Group "order-cancel-all" (DELETE /v1/orders/open): one request per this many seconds, 2.</summary>
    [JsonPropertyName("order_cancel_all_interval_seconds")] public double OrderCancelAllIntervalSeconds { get; init; } =
        new UpbitRates().CancelAllInterval.TotalSeconds;

    public UpbitRates ToUpbitRates()
    {
        Validate();
        return new UpbitRates
        {
            DefaultPerSecond = DefaultPerSecond,
            OrderPerSecond = OrderPerSecond,
            OrderTestPerSecond = OrderTestPerSecond,
            CancelAllInterval = TimeSpan.FromSeconds(OrderCancelAllIntervalSeconds),
        };
    }

    public void Validate()
    {
        PerSecond("default_per_second", DefaultPerSecond, 30);
        PerSecond("order_per_second", OrderPerSecond, 12);
        PerSecond("order_test_per_second", OrderTestPerSecond, 8);
        if (!(double.IsFinite(OrderCancelAllIntervalSeconds) && OrderCancelAllIntervalSeconds is > 0 and <= 3600))
            throw new ArgumentException(
                $"appliance.json: 'rates.order_cancel_all_interval_seconds' is {OrderCancelAllIntervalSeconds}; give seconds above 0 and at most 3600 (Upbit: 2).");
    }

    private static void PerSecond(string key, int value, int upbit)
    {
        if (value is < 1 or > UpbitRates.MaxPerSecond)
            throw new ArgumentException(
                $"appliance.json: 'rates.{key}' is {value}; give a whole number of requests per second from 1 to {UpbitRates.MaxPerSecond} (Upbit: {upbit}).");
    }
}
