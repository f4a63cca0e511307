using Appliance.Pipeline;
using Appliance.Policy;
using Appliance.Upbit;

namespace Appliance.Tests.Pipeline.Rates;

/// <summary>Each bot's own token bucket, checked before the pocket.</summary>
public sealed class RateGuardBucketTests
{
    // Upbit's groups out of the way, so only the bot's bucket limits.
    private static readonly UpbitRates Roomy = new() { DefaultPerSecond = 100_000, OrderPerSecond = 100_000, OrderTestPerSecond = 100_000 };

    [Fact]
    public void A_bot_gets_its_burst_then_one_request_per_refill()
    {
        var t = new RateGuardTesting(Roomy);
        var rate = new BotRate(10, 20);

        Assert.Equal(20, t.AdmitAll("bot", rate));
        var refusal = t.Refused("bot", rate);
        RateGuardTesting.AssertWait(TimeSpan.FromMilliseconds(100), refusal);
        Assert.Contains("Bot 'bot' is over its own rate (10/s, burst 20", refusal.Message);

        t.Time.Advance(TimeSpan.FromMilliseconds(99));
        t.Refused("bot", rate);
        t.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, t.AdmitAll("bot", rate));

        t.Time.Advance(TimeSpan.FromMilliseconds(350)); // 3.5 tokens
        Assert.Equal(3, t.AdmitAll("bot", rate));
        RateGuardTesting.AssertWait(TimeSpan.FromMilliseconds(50), t.Refused("bot", rate));
    }

    [Fact]
    public void A_quiet_bot_refills_to_its_burst_and_no_further()
    {
        var t = new RateGuardTesting(Roomy);
        var rate = new BotRate(2, 5);
        Assert.Equal(5, t.AdmitAll("bot", rate));
        t.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(5, t.AdmitAll("bot", rate));
    }

    [Fact]
    public void Bots_have_separate_buckets_across_pockets_and_groups()
    {
        var t = new RateGuardTesting(Roomy);
        var rate = new BotRate(1, 3);
        Assert.Equal(3, t.AdmitAll("a", rate));
        Assert.Equal(3, t.AdmitAll("b", rate));
        // The bucket is the bot's, whichever pocket or group it asks for.
        Assert.Contains("over its own rate", t.Refused("a", rate, "sub1", RateGroup.Order).Message);
    }

    [Fact]
    public void A_changed_profile_rate_takes_effect_at_the_next_request()
    {
        var t = new RateGuardTesting(Roomy);
        Assert.Equal(20, t.AdmitAll("bot", new BotRate(10, 20)));
        t.Time.Advance(TimeSpan.FromSeconds(10));
        // The operator lowered the burst: the full bucket shrinks to it.
        Assert.Equal(2, t.AdmitAll("bot", new BotRate(1, 2)));
        RateGuardTesting.AssertWait(TimeSpan.FromSeconds(1), t.Refused("bot", new BotRate(1, 2)));
    }

    [Fact]
    public void A_refusal_by_the_pocket_takes_no_token_from_the_bot()
    {
        var t = new RateGuardTesting();
        var rate = new BotRate(0.1, 1); // one token, ten seconds to the next
        t.Guard.Admit("a", RateGuardTesting.Fast, Pockets.Main, RateGroup.OrderCancelAll);
        t.Refused("b", rate, group: RateGroup.OrderCancelAll); // the group's one per 2 s is used
        t.Time.Advance(TimeSpan.FromSeconds(2));
        t.Guard.Admit("b", rate, Pockets.Main, RateGroup.OrderCancelAll); // b still has its token
    }

    [Fact]
    public void A_refusal_by_the_bots_own_bucket_takes_nothing_from_the_pocket()
    {
        var t = new RateGuardTesting(new UpbitRates { OrderPerSecond = 2 });
        var one = new BotRate(1, 1);
        t.Guard.Admit("a", one, Pockets.Main, RateGroup.Order);
        for (var i = 0; i < 5; i++) t.Refused("a", one, group: RateGroup.Order); // a's own bucket is empty
        t.Guard.Admit("b", one, Pockets.Main, RateGroup.Order); // so the group's second slot is still there
        Assert.Contains("limit for group 'order'", t.Refused("c", one, group: RateGroup.Order).Message);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(-1, 1)]
    [InlineData(double.NaN, 1)]
    [InlineData(double.PositiveInfinity, 1)]
    [InlineData(1001, 1)]
    [InlineData(1, 0)]
    [InlineData(1, 10_001)]
    public void A_bot_rate_out_of_range_is_refused(double perSecond, int burst)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BotRate(perSecond, burst));
    }

    [Fact]
    public void The_default_rate_comes_from_the_profile_and_old_profiles_get_it()
    {
        Assert.Equal(new BotRate(10, 20), BotRate.Default);
        var old = System.Text.Json.JsonSerializer.Deserialize<BotProfile>(
            """{"name":"old","thumbprint":"ab","credential":"main","scopes":["view-assets"],"allow_ip":["10.0.0.0/8"]}""")!;
        Assert.Equal(BotRate.Default, BotRate.Of(old));
        Assert.Equal(new BotRate(2.5, 7), BotRate.Of(old with { RatePerSecond = 2.5, Burst = 7 }));
    }
}
