using Appliance.Policy;

namespace Appliance.Pipeline;

/// <summary>One bot's own token bucket: refills <see cref="PerSecond"/> per second, holds at most <see cref="Burst"/>.</summary>
public sealed record BotRate(double PerSecond, int Burst)
{
    public double PerSecond { get; } = BotProfile.RateProblem(PerSecond, 1) is { } problem
        ? throw new ArgumentOutOfRangeException(nameof(PerSecond), PerSecond, problem)
        : PerSecond;

    public int Burst { get; } = BotProfile.RateProblem(1, Burst) is { } problem
        ? throw new ArgumentOutOfRangeException(nameof(Burst), Burst, problem)
        : Burst;

    /// <summary>10/s, burst 20 (<see cref="BotProfile.DefaultRatePerSecond"/>).</summary>
    public static BotRate Default { get; } = new(BotProfile.DefaultRatePerSecond, BotProfile.DefaultBurst);

    /// <summary>The rate written in the bot's profile (the defaults for a profile written before rates existed).</summary>
    public static BotRate Of(BotProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return new BotRate(profile.RatePerSecond, profile.Burst);
    }
}
