using Appliance.Approval;
using Appliance.Common;
using Appliance.Panel;
using Appliance.Sealing;
using Appliance.Pipeline;
using Appliance.Upbit;
using Appliance.Tests.Support;

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

    private PanelApprovalGate Gate(ApprovalOptions? options = null, TimeProvider? time = null) =>
        new(_display, options ?? new ApprovalOptions { TimeoutSeconds = 5, MinViewMilliseconds = 0 }, _state, time ?? TimeProvider.System);

    private static ApprovalRequest Withdrawal(string amount = "0.1", string bot = "payout")
    {
        List<UpbitParam> p = [new("currency", "BTC"), new("net_type", "BTC"), new("amount", amount), new("address", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")];
        return new ApprovalRequest(bot, "treasury", RequestValidator.Validate("POST", "/v1/withdraws/coin", p), p);
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
        Assert.Equal(ApprovalMode.Button, grant.Mode);
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
    public async Task A_touch_approval_waits_its_turn_and_starts_the_touch_only_when_shown()
    {
        using var gate = Gate();
        var button = gate.ApproveAsync(Withdrawal("0.1"), CancellationToken.None);
        await _panel.WaitForApproval("amount 0.1");
        var touched = new TaskCompletionSource<(string, TimeSpan)>();
        var touchStarted = 0;
        var touch = gate.ApproveByTouchAsync(Withdrawal("0.2"), _ => { Interlocked.Increment(ref touchStarted); return touched.Task; }, CancellationToken.None);
        await Task.Delay(100);
        Assert.Equal(0, Volatile.Read(ref touchStarted)); // the key never waits for a touch meant for what is not on display

        await _panel.Press(PanelButton.Approve);
        await button;
        await _panel.WaitForApproval("amount 0.2");
        Assert.Equal("touch the key", _panel.Text[1]);
        Assert.Equal("blink", _panel.LedState(Led.Approval));
        await Eventually.HoldsAsync(() => Volatile.Read(ref touchStarted) == 1, "the touch wait started");
        await _panel.Press(PanelButton.Approve); // a touch approval takes only the touch
        Assert.False(touch.IsCompleted);

        touched.SetResult(("jwt", TimeSpan.FromSeconds(1)));
        var (result, grant) = await touch;
        Assert.Equal("jwt", result);
        Assert.Equal(ApprovalMode.Touch, grant.Mode);
        Assert.Equal(0, gate.Pending);
    }

    [Fact]
    public async Task A_request_cancelled_while_queued_never_starts_its_touch()
    {
        using var gate = Gate();
        var button = gate.ApproveAsync(Withdrawal("0.1"), CancellationToken.None);
        await _panel.WaitForApproval("amount 0.1");
        using var cancel = new CancellationTokenSource();
        var started = false;
        var touch = gate.ApproveByTouchAsync(Withdrawal("0.2"), _ => { started = true; return Task.FromResult(("x", TimeSpan.Zero)); }, cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => touch);
        await _panel.Press(PanelButton.Approve);
        await button;
        await Task.Delay(100);
        Assert.False(started);
    }

    [Fact]
    public async Task Reject_refuses_a_touch_approval()
    {
        using var gate = Gate();
        var touch = gate.ApproveByTouchAsync(Withdrawal(), ct => Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => ("never", TimeSpan.Zero), ct), CancellationToken.None);
        await _panel.WaitForApproval("amount 0.1");
        await _panel.Press(PanelButton.Reject);
        var e = await Assert.ThrowsAsync<SignRefusal>(() => touch);
        Assert.Equal(Reasons.ApprovalRejected, e.Reason);
    }

    [Fact]
    public async Task A_bot_may_queue_at_most_its_limit()
    {
        using var gate = Gate(new ApprovalOptions { TimeoutSeconds = 5, MinViewMilliseconds = 0, MaxQueuedPerBot = 3 });
        var waiting = Enumerable.Range(1, 3).Select(i => gate.ApproveAsync(Withdrawal($"0.{i}"), CancellationToken.None)).ToList();
        var e = await Assert.ThrowsAsync<SignRefusal>(() => gate.ApproveAsync(Withdrawal("0.4"), CancellationToken.None));
        Assert.Equal(Reasons.ApprovalQueueFull, e.Reason);
        Assert.Equal(3, gate.Pending);
        // Another bot still gets its turn.
        var other = gate.ApproveAsync(Withdrawal("0.5", bot: "other"), CancellationToken.None);
        Assert.Equal(4, gate.Pending);
        gate.CancelBot("payout");
        foreach (var w in waiting) Assert.Equal(Reasons.BotRevoked, (await Assert.ThrowsAsync<SignRefusal>(() => w)).Reason);
        await _panel.WaitForApproval("amount 0.5");
        await _panel.Press(PanelButton.Approve);
        await other;
    }

    [Fact]
    public async Task An_item_waiting_in_line_times_out_too()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        using var gate = Gate(new ApprovalOptions { TimeoutSeconds = 10, MinViewMilliseconds = 0 }, time);
        var head = gate.ApproveAsync(Withdrawal("0.1"), CancellationToken.None);
        var queued = gate.ApproveAsync(Withdrawal("0.2", bot: "other"), CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(10)); // the head times out; the second is shown with its own 10 s
        Assert.Equal(Reasons.ApprovalTimeout, (await Assert.ThrowsAsync<SignRefusal>(() => head)).Reason);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(Reasons.ApprovalTimeout, (await Assert.ThrowsAsync<SignRefusal>(() => queued)).Reason);
        Assert.Equal(0, gate.Pending);
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
