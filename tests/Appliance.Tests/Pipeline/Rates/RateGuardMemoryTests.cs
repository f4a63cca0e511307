using Appliance.Pipeline;
using Appliance.Upbit;

namespace Appliance.Tests.Pipeline.Rates;

/// <summary>The guard forgets what no longer matters, so many bots and pockets over time cost nothing lasting.</summary>
public sealed class RateGuardMemoryTests
{
    [Fact]
    public void State_for_many_bots_and_pockets_is_dropped_once_they_are_quiet()
    {
        var t = new RateGuardTesting(new UpbitRates { DefaultPerSecond = 100_000 });
        for (var i = 0; i < 10_000; i++) t.TryAdmit($"bot{i}", new BotRate(10, 20));
        for (var i = 0; i < 500; i++) t.TryAdmit("one", RateGuardTesting.Fast, $"pocket{i}", RateGroup.Order);
        var busy = t.Guard.Footprint();
        Assert.Equal(10_001, busy.Bots);
        Assert.Equal(501, busy.Pockets);
        Assert.Equal(10_500, busy.Participants);

        // Buckets refill in 2 s; pockets stop counting a bot after the share memory (60 s).
        t.Time.Advance(TimeSpan.FromSeconds(3));
        t.TryAdmit("late", new BotRate(10, 20));
        var refilled = t.Guard.Footprint();
        Assert.Equal(1, refilled.Bots); // every full bucket is gone; "late" got a new one
        Assert.Equal(10_501, refilled.Participants); // still counted in their pockets' fair split
        t.Time.Advance(TimeSpan.FromSeconds(60));
        t.TryAdmit("late", new BotRate(10, 20));
        Assert.Equal((1, 1, 1), t.Guard.Footprint());
    }

    [Fact]
    public void A_block_keeps_its_pocket_until_it_ends()
    {
        var t = new RateGuardTesting();
        t.Guard.Observe("sub1", RateGroup.Default, 418, null, TimeSpan.FromSeconds(300));
        t.Time.Advance(TimeSpan.FromSeconds(200));
        t.TryAdmit("a", RateGuardTesting.Fast); // a sweep, on another pocket
        Assert.Equal(2, t.Guard.Footprint().Pockets);
        t.Refused("a", RateGuardTesting.Fast, "sub1");
    }
}
