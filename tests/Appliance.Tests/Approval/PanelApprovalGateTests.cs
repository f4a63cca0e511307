using Appliance.Approval;
using Appliance.Common;
using Appliance.Panel;
using Appliance.Sealing;
using Appliance.Pipeline;
using Appliance.Upbit;

namespace Appliance.Tests.Approval;

/// <summary>The gate on its own, with the test panel: what it shows, and presses it must not take.</summary>
public sealed class PanelApprovalGateTests : IDisposable
{
    private readonly TestPanel _panel = new();
    private readonly ApplianceState _state = new();

    public PanelApprovalGateTests() => _display = new PanelController(_panel, _state);

    private readonly PanelController _display;

    public void Dispose()
    {
        _display.Dispose();
        _panel.Dispose();
    }

    private PanelApprovalGate Gate(ApprovalOptions? options = null, ApprovalMode mode = ApprovalMode.Button) =>
        new(_display, options ?? new ApprovalOptions { TimeoutSeconds = 5, MinViewMilliseconds = 0 }, _ => mode, _state, TimeProvider.System);

    private static ApprovalRequest Withdrawal(string amount = "0.1")
    {
        List<UpbitParam> p = [new("currency", "BTC"), new("net_type", "BTC"), new("amount", amount), new("address", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")];
        return new ApprovalRequest("payout", "treasury", RequestValidator.Validate("POST", "/v1/withdraws/coin", p), p);
    }

    [Fact]
    public async Task Press_right_after_a_prompt_appears_is_ignored()
    {
        using var gate = Gate(new ApprovalOptions { TimeoutSeconds = 5, MinViewMilliseconds = 300 });
        var approval = gate.ApproveAsync(Withdrawal(), CancellationToken.None);
        await _panel.WaitForApproval("amount 0.1");

        await _panel.Press(PanelButton.Approve); // 15 ms after the prompt: nobody read the address yet
        await Task.Delay(50);
        Assert.False(approval.IsCompleted);

        await Task.Delay(300);
        await _panel.Press(PanelButton.Approve);
        var grant = await approval;
        Assert.Equal("button", grant.Mode);
        Assert.True(grant.Waited >= TimeSpan.FromMilliseconds(300), grant.Waited.ToString());
        Assert.Equal(0, gate.Pending);
    }

    [Fact]
    public async Task Key_pulled_while_waiting_refuses_with_key_absent()
    {
        using var gate = Gate();
        var approval = gate.ApproveAsync(Withdrawal(), CancellationToken.None);
        await _panel.WaitForApproval("amount 0.1");
        _state.TokenPresent = false;

        var e = await Assert.ThrowsAsync<SignRefusal>(() => approval);
        Assert.Equal(Reasons.KeyAbsent, e.Reason);
        Assert.Equal(PanelController.IdleLines(ApplianceStateKind.Locked), _panel.Text);
        Assert.Equal("off", _panel.LedState(Led.Approval));
    }

    [Fact]
    public async Task Paused_appliance_asks_nothing()
    {
        using var gate = Gate();
        _state.Paused = true;
        var e = await Assert.ThrowsAsync<SignRefusal>(() => gate.ApproveAsync(Withdrawal(), CancellationToken.None));
        Assert.Equal(Reasons.Paused, e.Reason);
        Assert.False(_panel.EverAskedForApproval);
    }

    [Fact]
    public async Task Stopping_the_gate_refuses_what_waits()
    {
        var gate = Gate();
        var first = gate.ApproveAsync(Withdrawal("0.1"), CancellationToken.None);
        var second = gate.ApproveAsync(Withdrawal("0.2"), CancellationToken.None);
        await _panel.WaitForText(t => t.Count > 0 && t[0] == "APPROVE? +1 wait");
        gate.Dispose();

        foreach (var approval in new[] { first, second })
        {
            var e = await Assert.ThrowsAsync<SignRefusal>(() => approval);
            Assert.Equal(Reasons.ApprovalUnavailable, e.Reason);
        }
        await _panel.Press(PanelButton.Approve); // no longer subscribed: nothing happens, nothing throws
        Assert.Equal("off", _panel.LedState(Led.Approval));
    }

    [Fact]
    public async Task Touch_credential_returns_a_touch_grant_without_a_prompt()
    {
        using var gate = Gate(mode: ApprovalMode.Touch);
        var grant = await gate.ApproveAsync(Withdrawal(), CancellationToken.None);
        Assert.Equal("touch", grant.Mode);
        Assert.False(_panel.EverAskedForApproval);
    }

    [Fact]
    public void Display_shows_the_whole_address_in_groups_of_four()
    {
        var lines = ApprovalDisplay.Lines(Withdrawal(), queued: 0);
        Assert.Equal(
            ["APPROVE?", "bot payout", "withdraw coin", "BTC net BTC", "amount 0.1", "address:",
             "1:bc1q ar0s rrr7", "2:xfkv y5l6 43ly", "3:dnw9 re59 gtzz", "4:wf5m dq", "credential treasury"],
            lines);
        // Fixed lines fit a 16-column display; names are as long as the operator made them.
        Assert.All(lines.Where(l => !l.StartsWith("bot ", StringComparison.Ordinal) && !l.StartsWith("credential ", StringComparison.Ordinal)),
            l => Assert.True(l.Length <= 16, l));
    }

    [Fact]
    public void Other_high_risk_requests_show_every_parameter()
    {
        List<UpbitParam> p = [new("cancel_side", "all"), new("pairs", "KRW-BTC")];
        var lines = ApprovalDisplay.Lines(new ApprovalRequest("mm", "demo", RequestValidator.Validate("DELETE", "/v1/orders/open", p), p), queued: 2);
        Assert.Equal(["APPROVE? +2 wait", "bot mm", "cancel all open orders", "cancel_side=all", "pairs=KRW-BTC", "credential demo"], lines);
    }
}
