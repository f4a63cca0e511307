using System.Globalization;
using Appliance.Alerts;
using Appliance.Common;
using Appliance.Panel;
using Appliance.Policy;
using Appliance.Provisioning;
using Appliance.Tests.Cli;
using Appliance.Tests.Support;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tests.Approval;

/// <summary>
/// Cooling-off over the real transport (gRPC Send, the stand-in exchange, appliance.json's signed cooling_off of 24 h):
/// an address added now is refused before anyone is asked; one added more than 24 h ago waits for the button and is sent.
/// </summary>
public sealed class CoolingOffEndToEndTests : IAsyncLifetime
{
    private ApprovalAppliance _a = null!;

    public async ValueTask InitializeAsync() => _a = await ApprovalAppliance.StartAsync(coolingOff: "24h");

    public async ValueTask DisposeAsync() => await _a.DisposeAsync();

    private BotProfile Profile() => new BotStore(_a.Appliance.Data.Root).Load(_a.Bot);

    [Fact]
    public async Task A_new_address_is_refused_with_when_it_opens_and_an_address_past_its_cooling_off_is_sent_after_approval()
    {
        var added = Profile().WithdrawAddresses.Single(a => a.Currency == "BTC").Added!.Value;
        var opens = (added + TimeSpan.FromHours(24)).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

        var e = await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.AddressCoolingOff, () => _a.Send(ApprovalAppliance.CoinWithdrawal("0.1")));
        Assert.Contains($"{opens} UTC", e.Status.Detail);
        Assert.Equal(0u, (await _a.Client.GetStatusAsync()).PendingApprovals); // refused before anyone was asked
        Assert.Empty(_a.Upbit.Accepted);

        // The same address, as if added 25 h ago: removed (narrowing, no token), then added again by a CLI whose clock
        // says 25 h ago (signed, so its added time is part of the signature).
        await _a.UpdateBotAsync(p => p with { WithdrawAddresses = [.. p.WithdrawAddresses.Where(a => a.Currency != "BTC")] });
        var yesterday = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromHours(25));
        new BotEnrollment(_a.Appliance.Data, yesterday).Update(_a.Bot,
            p => p with { WithdrawAddresses = [.. p.WithdrawAddresses, WithdrawalAddress.Parse($"BTC:BTC:{ApprovalAppliance.BtcAddress}")] });
        await WaitUntilLoaded(p => p.WithdrawAddresses.Any(a => a.Currency == "BTC"));

        var call = _a.Send(ApprovalAppliance.CoinWithdrawal("0.1"));
        await _a.Panel.WaitForApproval("amount 0.1");
        await _a.Panel.Press(PanelButton.Approve);
        var sent = await call;
        Assert.True(sent.HttpStatus is 200 or 201, sent.Body.ToStringUtf8());
        Assert.Equal("/v1/withdraws/coin", Assert.Single(_a.Upbit.Accepted).Path);
    }

    [Fact]
    public async Task Adding_an_address_raises_an_alert_and_bots_list_shows_it_waiting()
    {
        var raised = new List<Alert>();
        _a.Appliance.Server.Alerts.AlertRaised += alert => { lock (raised) raised.Add(alert); };
        const string Eth = "0x52908400098527886E0F7030069857D2E4169EE7";
        await _a.UpdateBotAsync(p => p with { WithdrawAddresses = [.. p.WithdrawAddresses, WithdrawalAddress.Parse($"ETH:ETH:{Eth}")] });

        var deadline = DateTime.UtcNow.AddSeconds(10);
        Alert? alert = null;
        while (alert is null && DateTime.UtcNow < deadline)
        {
            lock (raised) alert = raised.FirstOrDefault(a => a.Rule == AlertRuleNames.WithdrawalAddressAdded && a.Message.Contains(Eth, StringComparison.Ordinal));
            await Task.Delay(50);
        }
        Assert.NotNull(alert);
        Assert.Equal(_a.Bot, alert.Bot);
        Assert.Contains("usable from", alert.Message);

        var list = await CliHarness.Run(null, "bots", "list", "--data-dir", _a.Appliance.Data.Root);
        Assert.True(list.Code == 0, list.Err);
        Assert.Contains($"waiting: withdrawal address ETH:ETH:{Eth} opens", list.Out);
        Assert.Contains($"waiting: withdrawal address BTC:BTC:{ApprovalAppliance.BtcAddress} opens", list.Out);
    }

    [Fact]
    public async Task The_idle_panel_lists_addresses_still_cooling_off_and_drops_one_when_it_is_removed()
    {
        var btc = $"BTC {ApprovalAppliance.BtcAddress[..10]}~";
        var shown = await _a.Panel.WaitForText(t => t.Contains(btc));
        Assert.Equal("READY", shown[0]);
        Assert.Contains($"bot {_a.Bot}", shown);
        var added = Profile().WithdrawAddresses.Single(a => a.Currency == "BTC").Added!.Value;
        Assert.Contains("opens " + (added + TimeSpan.FromHours(24)).UtcDateTime.ToString("MM-dd HH:mm", CultureInfo.InvariantCulture) + "Z", shown);
        Assert.Matches(@"^\d+ NEW ADDRESS(ES)?$", shown.Single(l => l.Contains("NEW ADDRESS", StringComparison.Ordinal)));

        // Removing it narrows power (no token) and it leaves the list within the monitor's second.
        await _a.UpdateBotAsync(p => p with { WithdrawAddresses = [.. p.WithdrawAddresses.Where(a => a.Currency != "BTC")] });
        await _a.Panel.WaitForText(t => t.Count > 0 && t[0] == "READY" && !t.Contains(btc));
    }

    private async Task WaitUntilLoaded(Func<BotProfile, bool> loaded)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (_a.Appliance.Server.Bots.All.FirstOrDefault(b => b.Name == _a.Bot) is { } bot && loaded(bot)) return;
            await Task.Delay(20);
        }
        throw new TimeoutException("The server did not load the change.");
    }
}
