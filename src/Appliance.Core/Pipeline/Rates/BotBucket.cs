namespace Appliance.Pipeline;

/// <summary>
/// One bot's token bucket on the injected clock. It starts full; a profile whose rate changed takes
/// effect at the next refill. A bucket that has refilled to the brim is the same as a new one, which
/// is what lets <see cref="RateGuard"/> forget it.
/// </summary>
internal sealed class BotBucket(BotRate rate, long stamp)
{
    private double _tokens = rate.Burst;
    private long _stamp = stamp;

    public BotRate Rate { get; private set; } = rate;

    public double Tokens => _tokens;

    public void Refill(long now, TimeProvider time, BotRate rate)
    {
        Rate = rate;
        var elapsed = time.GetElapsedTime(_stamp, now).TotalSeconds;
        if (elapsed > 0)
        {
            _tokens += elapsed * rate.PerSecond;
            _stamp = now;
        }
        _tokens = Math.Min(rate.Burst, _tokens);
    }

    /// <summary>How long until one whole token is there (call after <see cref="Refill"/>).</summary>
    public TimeSpan WaitForOne() => TimeSpan.FromSeconds(Math.Max(0, 1 - _tokens) / Rate.PerSecond);

    public void Take() => _tokens -= 1;

    public bool IsFullAt(long now, TimeProvider time) =>
        _tokens + time.GetElapsedTime(_stamp, now).TotalSeconds * Rate.PerSecond >= Rate.Burst;
}
