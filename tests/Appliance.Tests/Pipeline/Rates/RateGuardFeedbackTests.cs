using Appliance.Pipeline;
using Appliance.Upbit;

namespace Appliance.Tests.Pipeline.Rates;

/// <summary>What Upbit answered (Remaining-Req, 429, 418) tightens the guard for the pocket it was about.</summary>
public sealed class RateGuardFeedbackTests
{
    private static readonly BotRate Fast = RateGuardTesting.Fast;

    [Fact]
    public void After_a_429_the_group_waits_for_the_next_second()
    {
        var t = new RateGuardTesting();
        t.Guard.Admit("a", Fast, Pockets.Main, RateGroup.Order);
        t.Guard.Observe(Pockets.Main, RateGroup.Order, 429, null, null);

        var refusal = t.Refused("a", Fast, group: RateGroup.Order);
        Assert.Contains("Upbit answered 429", refusal.Message);
        RateGuardTesting.AssertWait(TimeSpan.FromSeconds(1), refusal);
        Assert.Equal(1, t.AdmitAll("b", Fast, group: RateGroup.Default, max: 1)); // other groups go on
        Assert.Equal(1, t.AdmitAll("a", Fast, "sub1", RateGroup.Order, max: 1)); // and other pockets

        t.Time.Advance(TimeSpan.FromMilliseconds(999));
        t.Refused("a", Fast, group: RateGroup.Order);
        t.Time.Advance(TimeSpan.FromMilliseconds(1));
        t.Guard.Admit("a", Fast, Pockets.Main, RateGroup.Order);
    }

    [Fact]
    public void A_429_with_a_longer_retry_after_waits_that_long()
    {
        var t = new RateGuardTesting();
        t.Guard.Observe(Pockets.Main, RateGroup.Default, 429, null, TimeSpan.FromSeconds(5));
        RateGuardTesting.AssertWait(TimeSpan.FromSeconds(5), t.Refused("a", Fast));
        t.Time.Advance(TimeSpan.FromSeconds(5));
        t.Guard.Admit("a", Fast, Pockets.Main, RateGroup.Default);
    }

    [Fact]
    public void A_418_blocks_every_group_of_the_pocket_for_the_stated_time()
    {
        var t = new RateGuardTesting();
        t.Guard.Observe("sub1", RateGroup.Order, 418, "group=order; min=1800; sec=0", TimeSpan.FromSeconds(120));

        foreach (var group in Enum.GetValues<RateGroup>())
        {
            var refusal = t.Refused("a", Fast, "sub1", group);
            Assert.Contains("Upbit has blocked pocket 'sub1' (HTTP 418", refusal.Message);
            RateGuardTesting.AssertWait(TimeSpan.FromSeconds(120), refusal);
        }
        t.Guard.Admit("a", Fast, Pockets.Main, RateGroup.Order); // Upbit blocks per pocket

        t.Time.Advance(TimeSpan.FromSeconds(119));
        RateGuardTesting.AssertWait(TimeSpan.FromSeconds(1), t.Refused("a", Fast, "sub1", RateGroup.Default));
        t.Time.Advance(TimeSpan.FromSeconds(1));
        t.Guard.Admit("a", Fast, "sub1", RateGroup.Order);
    }

    [Fact]
    public void A_418_without_a_stated_time_backs_off_longer_each_time()
    {
        var t = new RateGuardTesting();
        var expected = new[] { 30, 60, 120, 240, 480, 960, 1800, 1800 };
        foreach (var seconds in expected)
        {
            t.Guard.Observe(Pockets.Main, RateGroup.Default, 418, null, null);
            RateGuardTesting.AssertWait(TimeSpan.FromSeconds(seconds), t.Refused("a", Fast));
            t.Time.Advance(TimeSpan.FromSeconds(seconds));
            t.Guard.Admit("a", Fast, Pockets.Main, RateGroup.Default);
        }

        // An hour without a 418 and the escalation starts over.
        t.Time.Advance(RateGuard.BanMemory);
        t.Guard.Observe(Pockets.Main, RateGroup.Default, 418, null, null);
        RateGuardTesting.AssertWait(RateGuard.FirstBan, t.Refused("a", Fast));
    }

    [Fact]
    public void Remaining_req_sec_0_stops_the_group_until_the_next_second()
    {
        var t = new RateGuardTesting();
        t.Guard.Admit("a", Fast, Pockets.Main, RateGroup.Default);
        t.Guard.Observe(Pockets.Main, RateGroup.Default, 200, "group=default; min=1800; sec=0", null);

        var refusal = t.Refused("a", Fast);
        Assert.Contains("no 'default' requests left this second (Remaining-Req)", refusal.Message);
        RateGuardTesting.AssertWait(TimeSpan.FromSeconds(1), refusal);
        t.Guard.Admit("a", Fast, Pockets.Main, RateGroup.Order);

        t.Time.Advance(TimeSpan.FromSeconds(1));
        t.Guard.Admit("a", Fast, Pockets.Main, RateGroup.Default);
    }

    [Fact]
    public void Remaining_req_sec_caps_what_is_sent_this_second()
    {
        // Another client on the same pocket (outside the appliance) has used most of it: Upbit knows, we don't.
        var t = new RateGuardTesting();
        t.Guard.Observe(Pockets.Main, RateGroup.Default, 200, "group=default; min=1800; sec=3", null);
        Assert.Equal(3, t.AdmitAll("a", Fast));
        Assert.Equal(3, t.AdmitAll("a", Fast, group: RateGroup.Order, max: 3)); // only that group is capped
        t.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(30, t.AdmitAll("a", Fast));
    }

    [Fact]
    public void The_headers_own_group_wins_and_a_bad_header_changes_nothing()
    {
        var t = new RateGuardTesting();
        t.Guard.Observe(Pockets.Main, RateGroup.Default, 200, "group=order; min=1800; sec=0", null);
        t.Guard.Admit("a", Fast, Pockets.Main, RateGroup.Default);
        t.Refused("a", Fast, group: RateGroup.Order);

        foreach (var header in new[] { "", "garbage", "group=default; sec=-1", "group=default; sec=x", "group=origin; sec=0", "sec", new string('x', 300) })
            t.Guard.Observe("sub1", RateGroup.Default, 200, header, null);
        Assert.Equal(30, t.AdmitAll("a", Fast, "sub1"));
    }

    [Theory]
    [InlineData("group=default; min=1800; sec=29", RateGroup.Default, 29)]
    [InlineData("group=order; min=1800; sec=0", RateGroup.Order, 0)]
    [InlineData("sec=7;group=order-cancel-all", RateGroup.OrderCancelAll, 7)]
    [InlineData("group=exchange.order-test; sec=5", RateGroup.OrderTest, 5)]
    [InlineData(" group = default ;  sec = 12 ", RateGroup.Default, 12)]
    public void Remaining_req_is_parsed(string header, RateGroup group, int second)
    {
        Assert.True(RemainingReq.TryParse(header, out var parsed));
        Assert.Equal(group, parsed.Group);
        Assert.Equal(second, parsed.Second);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("group=default; min=1800")]
    [InlineData("group=default; sec=-1")]
    [InlineData("group=default; sec=1e3")]
    [InlineData("group=default; sec=99999999999")]
    public void A_remaining_req_without_a_usable_sec_is_not_parsed(string? header)
    {
        Assert.False(RemainingReq.TryParse(header, out _));
    }

    [Fact]
    public void A_group_unknown_to_the_appliance_is_parsed_without_a_group()
    {
        Assert.True(RemainingReq.TryParse("group=origin; sec=0", out var parsed));
        Assert.Null(parsed.Group);
        Assert.Equal("origin", parsed.GroupName);
    }
}
