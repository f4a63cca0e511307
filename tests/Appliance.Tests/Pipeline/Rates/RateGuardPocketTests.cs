using Appliance.Pipeline;
using Appliance.Upbit;

namespace Appliance.Tests.Pipeline.Rates;

/// <summary>Upbit's per-pocket group limits, and their fair split among the bots that share a pocket.</summary>
public sealed class RateGuardPocketTests
{
    private static readonly BotRate Fast = RateGuardTesting.Fast;

    [Fact]
    public void Each_group_of_each_pocket_has_its_own_limit()
    {
        var t = new RateGuardTesting();
        Assert.Equal(30, t.AdmitAll("a", Fast));
        Assert.Equal(12, t.AdmitAll("a", Fast, group: RateGroup.Order));
        Assert.Equal(8, t.AdmitAll("a", Fast, group: RateGroup.OrderTest));
        Assert.Equal(1, t.AdmitAll("a", Fast, group: RateGroup.OrderCancelAll));
        Assert.Equal(30, t.AdmitAll("a", Fast, "sub1")); // another pocket: Upbit counts it apart
        var refusal = t.Refused("a", Fast);
        Assert.Contains("Pocket 'main' is at Upbit's limit for group 'default' (30 per 1 s)", refusal.Message);
        RateGuardTesting.AssertWait(TimeSpan.FromSeconds(1), refusal);
    }

    [Fact]
    public void The_configured_rates_apply()
    {
        var t = new RateGuardTesting(new UpbitRates { DefaultPerSecond = 3, OrderPerSecond = 2, OrderTestPerSecond = 1, CancelAllInterval = TimeSpan.FromSeconds(5) });
        Assert.Equal(3, t.AdmitAll("a", Fast));
        Assert.Equal(2, t.AdmitAll("a", Fast, group: RateGroup.Order));
        Assert.Equal(1, t.AdmitAll("a", Fast, group: RateGroup.OrderTest));
        Assert.Equal(1, t.AdmitAll("a", Fast, group: RateGroup.OrderCancelAll));
        RateGuardTesting.AssertWait(TimeSpan.FromSeconds(5), t.Refused("a", Fast, group: RateGroup.OrderCancelAll));
        t.Time.Advance(TimeSpan.FromSeconds(4.9));
        t.Refused("a", Fast, group: RateGroup.OrderCancelAll);
        t.Time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(1, t.AdmitAll("a", Fast, group: RateGroup.OrderCancelAll));
    }

    [Fact]
    public void No_one_second_span_ever_holds_more_than_the_limit()
    {
        // A token bucket of 30/s would let 60 through between t=0.9 and t=1.1; Upbit counts per second and answers 429.
        var t = new RateGuardTesting();
        t.Time.Advance(TimeSpan.FromMilliseconds(900));
        Assert.Equal(30, t.AdmitAll("a", Fast));
        t.Time.Advance(TimeSpan.FromMilliseconds(200));
        RateGuardTesting.AssertWait(TimeSpan.FromMilliseconds(800), t.Refused("a", Fast));
        t.Time.Advance(TimeSpan.FromMilliseconds(800));
        Assert.Equal(30, t.AdmitAll("a", Fast));
    }

    [Fact]
    public void A_bot_alone_on_a_pocket_may_use_all_of_it()
    {
        var t = new RateGuardTesting();
        for (var second = 0; second < 5; second++)
        {
            Assert.Equal(30, t.AdmitAll("viewer", Fast));
            t.Time.Advance(TimeSpan.FromSeconds(1));
        }
    }

    [Fact]
    public void A_viewer_flooding_a_pocket_does_not_starve_a_traders_cancels()
    {
        var t = new RateGuardTesting();
        // The viewer polls GET /v1/accounts as fast as it can (every 5 ms), alone for two seconds; then
        // the trader starts cancelling an order (DELETE /v1/order, same "default" group) every 100 ms.
        for (var tick = 0; tick < 400; tick++)
        {
            t.TryAdmit("viewer", Fast);
            t.Time.Advance(TimeSpan.FromMilliseconds(5));
        }
        var cancels = new List<bool>();
        var viewerPerSecond = new List<int>();
        for (var second = 0; second < 3; second++)
        {
            var viewer = 0;
            for (var tick = 0; tick < 200; tick++)
            {
                if (t.TryAdmit("viewer", Fast)) viewer++;
                if (tick % 20 == 0) cancels.Add(t.TryAdmit("trader", BotRate.Default));
                t.Time.Advance(TimeSpan.FromMilliseconds(5));
            }
            viewerPerSecond.Add(viewer);
        }
        // Only the very first cancel can find the window full: it claims the trader's share, and every later one goes through.
        Assert.Equal(30, cancels.Count);
        Assert.All(cancels.Skip(1), Assert.True);
        // The viewer keeps at least its own half: it is throttled no more than fairness needs.
        Assert.All(viewerPerSecond.Skip(1), n => Assert.InRange(n, 15, 20));
    }

    [Fact]
    public void A_trader_arriving_at_a_full_pocket_gets_its_share_within_one_period()
    {
        var t = new RateGuardTesting();
        Assert.Equal(30, t.AdmitAll("viewer", Fast)); // alone: the whole window
        var first = t.Refused("trader", Fast);
        Assert.Contains("limit for group 'default'", first.Message);
        Assert.True(first.RetryAfter <= TimeSpan.FromSeconds(1));

        // From the next period on, both want as much as they can get: each gets half, however greedy the other.
        t.Time.Advance(TimeSpan.FromSeconds(1));
        for (var second = 0; second < 3; second++)
        {
            var viewer = 0;
            var trader = 0;
            for (var tick = 0; tick < 100; tick++)
            {
                for (var ask = 0; ask < 3; ask++)
                    if (t.TryAdmit("viewer", Fast)) viewer++; // the viewer asks first, and three times as often
                if (t.TryAdmit("trader", Fast)) trader++;
                t.Time.Advance(TimeSpan.FromMilliseconds(10));
            }
            Assert.Equal(15, trader);
            Assert.Equal(15, viewer);
        }
    }

    [Fact]
    public void Shares_are_split_among_every_bot_that_recently_used_the_pocket()
    {
        var t = new RateGuardTesting(shareMemory: TimeSpan.FromSeconds(10));
        foreach (var bot in new[] { "a", "b", "c" }) Assert.True(t.TryAdmit(bot, Fast));
        t.Time.Advance(TimeSpan.FromSeconds(1));

        // Three bots known: each is guaranteed 10. "a" may take more only while 10 stay free for "b" and "c" each.
        Assert.Equal(10, t.AdmitAll("a", Fast));
        var refusal = t.Refused("a", Fast);
        Assert.Contains("Bot 'a' has used its fair share of pocket 'main''s 'default' limit (10 of 30 per 1 s, shared by 3 bots)", refusal.Message);
        Assert.Equal(10, t.AdmitAll("b", Fast));
        Assert.Equal(10, t.AdmitAll("c", Fast));

        // b and c go quiet: after the share memory, a has the pocket to itself again.
        for (var second = 0; second < 10; second++)
        {
            t.Time.Advance(TimeSpan.FromSeconds(1));
            t.AdmitAll("a", Fast);
        }
        t.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(30, t.AdmitAll("a", Fast));
    }

    [Fact]
    public void More_bots_than_slots_take_turns()
    {
        var t = new RateGuardTesting(new UpbitRates { OrderPerSecond = 2 });
        foreach (var bot in new[] { "a", "b", "c", "d" }) t.TryAdmit(bot, Fast, group: RateGroup.Order);
        t.Time.Advance(TimeSpan.FromSeconds(1));
        // Each is guaranteed one; nobody takes a second while others are waiting.
        Assert.Equal(1, t.AdmitAll("a", Fast, group: RateGroup.Order));
        Assert.Equal(1, t.AdmitAll("b", Fast, group: RateGroup.Order));
        Assert.Equal(0, t.AdmitAll("c", Fast, group: RateGroup.Order));
    }
}
