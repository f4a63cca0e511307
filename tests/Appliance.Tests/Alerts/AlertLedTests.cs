using Appliance.Panel;
using Appliance.Provisioning;
using Appliance.Tests.EndToEnd;
using Grpc.Core;
using Appliance.Tests.Approval;
using Appliance.Common;

namespace Appliance.Tests.Alerts;

/// <summary>The red LED follows alerts over the real server, and a reject press with nothing to approve acknowledges them.</summary>
public sealed class AlertLedTests
{
    [Fact]
    public async Task An_alert_lights_the_red_led_until_a_reject_press_acknowledges_it()
    {
        using var panel = new TestPanel();
        await using var appliance = await TestAppliance.StartAsync(configure: setup => setup with { Panel = panel });
        using var client = appliance.Client();
        await client.SendAsync("GET", "/v1/accounts", []);
        Assert.Equal("off", panel.LedState(Led.Alert));

        // Every withdrawal request is an alert, even one refused before anyone is asked (address not allowlisted).
        await Assert.ThrowsAsync<RpcException>(() => client.SendAsync("POST", "/v1/withdraws/coin",
            [new("currency", "BTC"), new("net_type", "BTC"), new("amount", "0.001"), new("address", "bc1qsomeoneelse000000000000000000000000")],
            DemoSetup.WithdrawCredentialName));
        await panel.WaitForText(t => t.Any(l => l.StartsWith("ALERT withdrawal", StringComparison.Ordinal)));
        Assert.Equal("on", panel.LedState(Led.Alert));
        Assert.Equal("on", panel.LedState(Led.Ready)); // still serving: an alert is not a lock

        await panel.Press(PanelButton.Reject);
        await panel.WaitForText(t => t.SequenceEqual(PanelController.IdleLines(ApplianceStateKind.Ready)));
        Assert.Equal("off", panel.LedState(Led.Alert));
    }
}
