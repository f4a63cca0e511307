using System.Text.Json.Nodes;
using Appliance.Alerts;
using Appliance.Common;
using Appliance.Policy;
using Appliance.Upbit;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tests.Policy;

/// <summary>A new withdrawal address waits out <c>cooling_off</c>: refused inside it, accepted from its end, on a fake clock.</summary>
public sealed class CoolingOffTests
{
    private const string Address = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";
    private static readonly DateTimeOffset Added = new(2026, 11, 30, 10, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Added);

    private static BotProfile Bot(DateTimeOffset? added) => new()
    {
        Name = "payout",
        Thumbprint = "00",
        Credential = "c",
        Scopes = ["withdraw"],
        AllowIps = ["127.0.0.0/8"],
        WithdrawAddresses = [new WithdrawalAddress("BTC", "BTC", Address) { Added = added }],
    };

    private static WithdrawalReservation? Withdraw(WithdrawalPolicy policy, BotProfile bot)
    {
        List<UpbitParam> p = [new("currency", "BTC"), new("net_type", "BTC"), new("amount", "0.1"), new("address", Address)];
        return policy.Reserve(bot, RequestValidator.Validate("POST", "/v1/withdraws/coin", p), p);
    }

    [Fact]
    public void An_address_is_refused_inside_its_cooling_off_with_the_time_it_opens_and_accepted_from_then_on()
    {
        var policy = new WithdrawalPolicy(_clock, coolingOff: TimeSpan.FromHours(24));
        var bot = Bot(Added);

        _clock.Advance(TimeSpan.FromHours(23) + TimeSpan.FromMinutes(59));
        var refusal = Assert.Throws<SignRefusal>(() => Withdraw(policy, bot));
        Assert.Equal(Reasons.AddressCoolingOff, refusal.Reason);
        Assert.Equal(RefusalKind.PermissionDenied, refusal.Kind);
        Assert.Contains("2026-12-01 10:00:00 UTC", refusal.Message);
        Assert.Equal(0m, policy.UsedInWindow("payout", "BTC")); // a refusal reserves nothing

        _clock.Advance(TimeSpan.FromMinutes(1)); // exactly when it opens
        using var reservation = Withdraw(policy, bot);
        Assert.NotNull(reservation);
    }

    [Fact]
    public void An_address_from_before_cooling_off_existed_and_a_zero_cooling_off_never_wait()
    {
        Assert.NotNull(Withdraw(new WithdrawalPolicy(_clock, coolingOff: TimeSpan.FromHours(24)), Bot(added: null)));
        Assert.NotNull(Withdraw(new WithdrawalPolicy(_clock, coolingOff: TimeSpan.Zero), Bot(Added)));
    }

    [Fact]
    public void Listed_twice_the_earlier_entry_counts()
    {
        var policy = new WithdrawalPolicy(_clock, coolingOff: TimeSpan.FromHours(24));
        var bot = Bot(Added) with
        {
            WithdrawAddresses = [new WithdrawalAddress("BTC", "BTC", Address) { Added = Added + TimeSpan.FromHours(20) },
                new WithdrawalAddress("BTC", "BTC", Address) { Added = Added }],
        };
        _clock.Advance(TimeSpan.FromHours(25));
        Assert.NotNull(Withdraw(policy, bot));
    }

    [Theory]
    [InlineData("24h", 24 * 3600)]
    [InlineData("90m", 90 * 60)]
    [InlineData("0s", 0)]
    [InlineData("1.5h", 5400)]
    public void Durations_need_their_unit(string text, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), CoolingOff.Parse(text));

    [Theory]
    [InlineData("24")]
    [InlineData("-1h")]
    [InlineData("1d")]
    [InlineData("24 h")]
    [InlineData("800h")]
    public void A_bad_duration_says_how_to_write_one(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => CoolingOff.Parse(text));
        Assert.Contains("cooling_off", e.Message);
    }

    [Fact]
    public void A_longer_cooling_off_needs_no_signature_a_shorter_one_does()
    {
        Assert.True(NarrowingRules.LongerWait(JsonValue.Create("48h"), JsonValue.Create("24h")));
        Assert.True(NarrowingRules.LongerWait(JsonValue.Create("24h"), null)); // absent: the 24 h default
        Assert.False(NarrowingRules.LongerWait(JsonValue.Create("0s"), null));
        Assert.False(NarrowingRules.LongerWait(JsonValue.Create("1h"), JsonValue.Create("2h")));
        Assert.False(NarrowingRules.LongerWait(JsonValue.Create("nonsense"), JsonValue.Create("2h")));
    }

    [Fact]
    public void Adding_an_address_raises_an_alert_that_says_when_it_opens_once()
    {
        var rules = new AlertRules(new AlertOptions(), _clock);
        var before = Bot(added: null);
        Assert.Empty(rules.ObserveAddresses([before], TimeSpan.FromHours(24))); // usable at start: nothing new

        var added = before with { WithdrawAddresses = [.. before.WithdrawAddresses, new WithdrawalAddress("XRP", "XRP", "rLNaPoKeeBjZe2qs6x52yVPZpZ8td4dc6w") { Added = Added }] };
        var alert = Assert.Single(rules.ObserveAddresses([added], TimeSpan.FromHours(24)));
        Assert.Equal(AlertRuleNames.WithdrawalAddressAdded, alert.Rule);
        Assert.Equal("payout", alert.Bot);
        Assert.Contains("usable from 2026-12-01 10:00:00 UTC", alert.Message);
        Assert.Empty(rules.ObserveAddresses([added], TimeSpan.FromHours(24)));
    }

    [Fact]
    public void At_start_an_address_still_waiting_is_announced()
    {
        var rules = new AlertRules(new AlertOptions(), _clock);
        Assert.Contains("usable from", Assert.Single(rules.ObserveAddresses([Bot(Added)], TimeSpan.FromHours(24))).Message);
    }
}
