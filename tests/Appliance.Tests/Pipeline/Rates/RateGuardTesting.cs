using Appliance.Common;
using Appliance.Pipeline;
using Appliance.Upbit;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tests.Pipeline.Rates;

/// <summary>A RateGuard on a FakeTimeProvider, and the checks every refusal must pass.</summary>
internal sealed class RateGuardTesting
{
    public static readonly BotRate Fast = new(1000, 1000);

    public RateGuardTesting(UpbitRates? rates = null, TimeSpan? shareMemory = null)
    {
        Guard = new RateGuard(Time, rates ?? new UpbitRates()) { ShareMemory = shareMemory ?? TimeSpan.FromSeconds(60) };
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 9, 1, 0, 0, 0, TimeSpan.Zero));

    public RateGuard Guard { get; }

    public bool TryAdmit(string bot, BotRate rate, string pocket = Pockets.Main, RateGroup group = RateGroup.Default)
    {
        try
        {
            Guard.Admit(bot, rate, pocket, group);
            return true;
        }
        catch (SignRefusal refusal)
        {
            AssertRateLimited(refusal);
            return false;
        }
    }

    /// <summary>Admits until the first refusal (at most <paramref name="max"/>); returns how many went through.</summary>
    public int AdmitAll(string bot, BotRate rate, string pocket = Pockets.Main, RateGroup group = RateGroup.Default, int max = 10_000)
    {
        var admitted = 0;
        while (admitted < max && TryAdmit(bot, rate, pocket, group)) admitted++;
        return admitted;
    }

    public SignRefusal Refused(string bot, BotRate rate, string pocket = Pockets.Main, RateGroup group = RateGroup.Default)
    {
        var refusal = Assert.Throws<SignRefusal>(() => Guard.Admit(bot, rate, pocket, group));
        AssertRateLimited(refusal);
        return refusal;
    }

    public static void AssertRateLimited(SignRefusal refusal)
    {
        Assert.Equal(RefusalKind.ResourceExhausted, refusal.Kind);
        Assert.Equal(Reasons.RateLimited, refusal.Reason);
        Assert.NotNull(refusal.RetryAfter);
        Assert.True(refusal.RetryAfter > TimeSpan.Zero, $"RetryAfter {refusal.RetryAfter} should be positive");
        Assert.Contains("retry in", refusal.Message);
    }

    public static void AssertWait(TimeSpan expected, SignRefusal refusal, double toleranceMs = 1) =>
        Assert.True(Math.Abs((refusal.RetryAfter!.Value - expected).TotalMilliseconds) <= toleranceMs,
            $"RetryAfter {refusal.RetryAfter} should be {expected}");
}
