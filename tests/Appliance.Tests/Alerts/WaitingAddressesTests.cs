using Appliance.Alerts;
using Appliance.Policy;

namespace Appliance.Tests.Alerts;

/// <summary>The panel's list of withdrawal addresses in their cooling-off: soonest first, gone once open or revoked.</summary>
public sealed class WaitingAddressesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 6, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Day = TimeSpan.FromHours(24);

    private static BotProfile Bot(string name, params (string Address, TimeSpan Ago)[] addresses) =>
        new() { Name = name, Credential = "main", Scopes = ["withdraw"], AllowIps = [], Thumbprint = "ab",
            WithdrawAddresses = [.. addresses.Select(a => WithdrawalAddress.Parse(a.Address) with { Added = Now - a.Ago })] };

    [Fact]
    public void Waiting_addresses_are_listed_soonest_first_with_when_they_open()
    {
        var bots = new[]
        {
            Bot("payout", ("BTC:BTC:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", TimeSpan.FromHours(2))),
            Bot("sweeper", ("ETH:ETH:0x52908400098527886E0F7030069857D2E4169EE7", TimeSpan.FromHours(20)), ("XRP:XRP:rLNaPoKeeBjZe2qs6x52yVPZpZ8td4dc6w", TimeSpan.FromHours(30))),
        };
        var waiting = WaitingAddresses.Of(bots, Day, Now);
        Assert.Equal(["sweeper", "payout"], waiting.Select(w => w.Bot)); // the XRP one opened 6 h ago
        Assert.Equal(
            ["2 NEW ADDRESSES", "bot sweeper", "ETH 0x52908400~", "opens 11-30 10:00Z", "bot payout", "BTC bc1qar0srr~", "opens 12-01 04:00Z"],
            WaitingAddresses.Lines(waiting));
        Assert.True(WaitingAddresses.Lines(waiting).All(l => l.Length <= 20));
    }

    [Fact]
    public void An_address_leaves_the_list_when_it_opens_and_a_revoked_bot_lists_none()
    {
        var bots = new[] { Bot("payout", ("BTC:BTC:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", TimeSpan.FromHours(23))) };
        Assert.Single(WaitingAddresses.Of(bots, Day, Now));
        Assert.Empty(WaitingAddresses.Of(bots, Day, Now + TimeSpan.FromHours(1)));
        Assert.Empty(WaitingAddresses.Of([bots[0] with { Revoked = Now }], Day, Now));
        Assert.Empty(WaitingAddresses.Lines([]));
    }

    [Fact]
    public void More_than_three_say_how_many_more()
    {
        var bots = Enumerable.Range(1, 5).Select(i => Bot($"bot{i}", ("BTC:BTC:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", TimeSpan.FromHours(i)))).ToList();
        var lines = WaitingAddresses.Lines(WaitingAddresses.Of(bots, Day, Now));
        Assert.Equal("5 NEW ADDRESSES", lines[0]);
        Assert.Equal("+2 more: bots list", lines[^1]);
        Assert.Equal(1 + 3 * 3 + 1, lines.Count);
    }
}
