using Appliance.Common;
using Appliance.Policy;
using Appliance.Upbit;

namespace Appliance.Tests.Policy;

/// <summary>The rolling 24 h window of <see cref="WithdrawalPolicy"/>, on a clock the test moves.</summary>
public sealed class WithdrawalPolicyTests
{
    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private const string Address = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";
    private readonly Clock _clock = new();
    private readonly WithdrawalPolicy _policy;

    private static readonly BotProfile Bot = new()
    {
        Name = "payout",
        Thumbprint = "00",
        Credential = "c",
        Scopes = ["withdraw"],
        AllowIps = ["127.0.0.0/8"],
        WithdrawAddresses = [new WithdrawalAddress("BTC", "BTC", Address)],
        WithdrawCaps = [new WithdrawalCap("BTC", null, 1m)],
    };

    public WithdrawalPolicyTests() => _policy = new WithdrawalPolicy(_clock);

    private WithdrawalReservation? Reserve(string amount)
    {
        List<UpbitParam> p = [new("currency", "BTC"), new("net_type", "BTC"), new("amount", amount), new("address", Address)];
        return _policy.Reserve(Bot, RequestValidator.Validate("POST", "/v1/withdraws/coin", p), p);
    }

    private void AssertOverCap(string amount) =>
        Assert.Equal(Reasons.WithdrawLimit, Assert.Throws<SignRefusal>(() => Reserve(amount)).Reason);

    [Fact]
    public void Signed_amounts_count_for_24_hours_from_signing()
    {
        _clock.Now += TimeSpan.FromMinutes(5);
        Reserve("0.6")!.Commit();
        _clock.Now += TimeSpan.FromHours(12);
        Reserve("0.4")!.Commit();
        AssertOverCap("0.1");

        _clock.Now += TimeSpan.FromHours(12); // the first is exactly 24 h old: out of the window
        Assert.Equal(0.4m, _policy.UsedInWindow("payout", "btc"));
        using (var r = Reserve("0.6")) r!.Commit();
        AssertOverCap("0.00000001");
    }

    [Fact]
    public void Unsigned_reservation_is_given_back_and_commit_after_dispose_changes_nothing()
    {
        var held = Reserve("0.9")!;
        AssertOverCap("0.2");
        held.Dispose();
        held.Commit(); // too late: it was released
        Assert.Equal(0m, _policy.UsedInWindow("payout", "BTC"));
        Reserve("1")!.Commit();
        AssertOverCap("0.00000001");
    }

    [Fact]
    public void Other_requests_reserve_nothing()
    {
        List<UpbitParam> p = [new("uuid", "11111111-1111-4111-8111-111111111111")];
        Assert.Null(_policy.Reserve(Bot, RequestValidator.Validate("DELETE", "/v1/withdraws/coin", p), p));
    }

    [Fact]
    public void Currency_without_a_cap_is_not_capped_but_still_needs_a_listed_address()
    {
        List<UpbitParam> p = [new("currency", "ETH"), new("net_type", "ETH"), new("amount", "1000"), new("address", "0xabc")];
        var e = Assert.Throws<SignRefusal>(() => _policy.Reserve(Bot, RequestValidator.Validate("POST", "/v1/withdraws/coin", p), p));
        Assert.Equal(Reasons.WithdrawAddressDenied, e.Reason);
        var eth = Bot with { WithdrawAddresses = [new WithdrawalAddress("ETH", "ETH", "0xabc")] };
        Assert.NotNull(_policy.Reserve(eth, RequestValidator.Validate("POST", "/v1/withdraws/coin", p), p));
    }
}
