using Appliance.Common;
using Appliance.Upbit;

namespace Appliance.Pipeline;

/// <summary>
/// Keeps each credential within Upbit's per-group request rates, so a runaway bot is stopped here
/// (RESOURCE_EXHAUSTED) before Upbit answers 429 and escalates to 418 blocks for every bot sharing
/// the key. A token bucket per credential and group. Hand-rolled rather than
/// System.Threading.RateLimiting because it must run on the injected TimeProvider.
/// </summary>
public sealed class UpbitRateGuard(TimeProvider time, UpbitRates rates)
{
    private readonly Dictionary<(string, RateGroup), Bucket> _buckets = new();
    private readonly Lock _lock = new();

    public void Admit(string credential, Endpoint endpoint)
    {
        var (capacity, period) = rates.For(endpoint.RateGroup);
        var now = time.GetTimestamp();
        lock (_lock)
        {
            if (!_buckets.TryGetValue((credential, endpoint.RateGroup), out var bucket))
                _buckets[(credential, endpoint.RateGroup)] = bucket = new Bucket(capacity, now);
            var refill = time.GetElapsedTime(bucket.Stamp, now).TotalSeconds / period.TotalSeconds * capacity;
            bucket.Tokens = Math.Min(capacity, bucket.Tokens + refill);
            bucket.Stamp = now;
            if (bucket.Tokens < 1)
                throw Refusals.RateLimited(
                    $"Credential '{credential}' is at Upbit's limit for group '{RateGroups.ToWire(endpoint.RateGroup)}' ({capacity} per {period.TotalSeconds:0.#} s)",
                    TimeSpan.FromSeconds((1 - bucket.Tokens) / capacity * period.TotalSeconds));
            bucket.Tokens -= 1;
        }
    }

    /// <summary>Upbit's own word on the budget: a 429 or 418 empties the group's bucket for the wait it names.</summary>
    public void Observe(string credential, Endpoint endpoint, UpstreamAnswer answer)
    {
        if (answer.Status is not (429 or 418)) return;
        var wait = int.TryParse(answer.Header("retry-after"), out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromSeconds(1);
        var (capacity, period) = rates.For(endpoint.RateGroup);
        lock (_lock)
        {
            if (!_buckets.TryGetValue((credential, endpoint.RateGroup), out var bucket))
                _buckets[(credential, endpoint.RateGroup)] = bucket = new Bucket(capacity, time.GetTimestamp());
            // Negative tokens: the refill needs the whole wait before the next request passes.
            bucket.Tokens = -wait.TotalSeconds / period.TotalSeconds * capacity;
            bucket.Stamp = time.GetTimestamp();
        }
    }

    private sealed class Bucket(double tokens, long stamp)
    {
        public double Tokens { get; set; } = tokens;
        public long Stamp { get; set; } = stamp;
    }
}

/// <summary>Upbit's exchange rates per group (upbit-api.md §4); configurable because sources disagree.</summary>
public sealed record UpbitRates
{
    public int DefaultPerSecond { get; init; } = 30;

    /// <summary>12/s since 2026-08-21; 8/s before, which ccxt still assumes.</summary>
    public int OrderPerSecond { get; init; } = 12;

    public int OrderTestPerSecond { get; init; } = 8;

    /// <summary>One cancel-all per two seconds.</summary>
    public TimeSpan CancelAllInterval { get; init; } = TimeSpan.FromSeconds(2);

    public (int Capacity, TimeSpan Period) For(RateGroup group) => group switch
    {
        RateGroup.Order => (OrderPerSecond, TimeSpan.FromSeconds(1)),
        RateGroup.OrderTest => (OrderTestPerSecond, TimeSpan.FromSeconds(1)),
        RateGroup.OrderCancelAll => (1, CancelAllInterval),
        _ => (DefaultPerSecond, TimeSpan.FromSeconds(1)),
    };
}
