using Appliance.Common;
using Appliance.Upbit;

namespace Appliance.Pipeline;

/// <summary>
/// Superseded by <see cref="RateGuard"/> (per-bot buckets, per-pocket groups shared fairly, Upbit's
/// 429/418/Remaining-Req feedback); kept only while the current SignPipeline still calls it, and to be
/// deleted when the rewritten pipeline calls RateGuard.
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

    private sealed class Bucket(double tokens, long stamp)
    {
        public double Tokens { get; set; } = tokens;
        public long Stamp { get; set; } = stamp;
    }
}
