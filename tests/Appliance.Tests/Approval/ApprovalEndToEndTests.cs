using System.Diagnostics;
using Appliance.Approval;
using Appliance.Common;
using Appliance.Panel;
using Appliance.Sealing;
using Appliance.Tests.Support;
using Grpc.Core;

namespace Appliance.Tests.Approval;

/// <summary>
/// Withdrawals over the real transport with the panel seam: the call blocks until the operator
/// decides, and every outcome is checked by what was signed (the metric and the stand-in Upbit).
/// </summary>
public sealed class ApprovalEndToEndTests : IAsyncLifetime
{
    private ApprovalAppliance _a = null!;

    public async ValueTask InitializeAsync() => _a = await ApprovalAppliance.StartAsync();

    public async ValueTask DisposeAsync() => await _a.DisposeAsync();

    [Fact]
    public async Task Approved_withdrawal_is_signed_once_and_accepted_by_the_exchange()
    {
        var request = ApprovalAppliance.CoinWithdrawal("0.1");
        var call = _a.Send(request);

        var shown = await _a.Panel.WaitForApproval("amount 0.1");
        Assert.False(call.IsCompleted);
        Assert.Equal("blink", _a.Panel.LedState(Led.Approval));
        Assert.Contains($"bot {_a.Bot}", shown);
        Assert.Contains("withdraw coin", shown);
        Assert.Contains("BTC net BTC", shown);
        // The full address, in groups the operator can compare.
        Assert.Equal(ApprovalAppliance.BtcAddress, string.Concat(shown.SkipWhile(l => l != "address:").Skip(1).TakeWhile(l => !l.StartsWith("credential", StringComparison.Ordinal)).Select(l => l[2..])).Replace(" ", "")); // "1:" numbers each line
        Assert.Equal(1u, (await _a.Client.GetStatusAsync()).PendingApprovals);

        await Task.Delay(100);
        await _a.Panel.Press(PanelButton.Approve);
        var signed = await call;

        Assert.Equal("button", signed.Approval);
        Assert.InRange(signed.ApprovalWaitMs, 100u, 5000u);
        var (status, body) = (signed.HttpStatus, signed.Body.ToStringUtf8());
        Assert.True(status is 200 or 201, body);
        var accepted = Assert.Single(_a.Upbit.Accepted);
        Assert.Equal("/v1/withdraws/coin", accepted.Path);
        Assert.Contains(accepted.Params, p => p.Key == "address" && p.Value == ApprovalAppliance.BtcAddress);
        var record = Assert.Single(await _a.Records.WaitFor(1));
        Assert.Equal("sent", record.Outcome);
        Assert.Equal("off", _a.Panel.LedState(Led.Approval));
        // Back to idle; the withdrawal also raised its alert (every withdrawal does), shown below the state.
        Assert.Equal([.. PanelController.IdleLines(ApplianceStateKind.Ready), "ALERT withdrawal"], _a.Panel.Text);
    }

    [Fact]
    public async Task Rejected_withdrawal_is_permission_denied_and_nothing_is_signed()
    {
        var call = _a.Send(ApprovalAppliance.CoinWithdrawal("0.1"));
        await _a.Panel.WaitForApproval("amount 0.1");
        await _a.Panel.Press(PanelButton.Reject);

        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.ApprovalRejected, () => call);
        var record = Assert.Single(await _a.Records.WaitFor(1));
        Assert.Equal(("denied", Reasons.ApprovalRejected), (record.Outcome, record.Reason));
        Assert.Empty(_a.Records.Signed);
        Assert.Equal("off", _a.Panel.LedState(Led.Approval));
    }

    [Fact]
    public async Task Krw_withdrawal_shows_the_amount_and_is_accepted_after_approval()
    {
        var request = ApprovalAppliance.Request("POST", "/v1/withdraws/krw", ("amount", "500000"), ("two_factor_type", "kakao"));
        var call = _a.Send(request);
        var shown = await _a.Panel.WaitForApproval("amount 500000");
        Assert.Contains("withdraw KRW to bank", shown);
        await _a.Panel.Press(PanelButton.Approve);

        var signed = await call;
        var (status, body) = (signed.HttpStatus, signed.Body.ToStringUtf8());
        Assert.True(status is 200 or 201, body);
        Assert.Equal("/v1/withdraws/krw", Assert.Single(_a.Upbit.Accepted).Path);
    }

    [Fact]
    public async Task Second_withdrawal_waits_and_is_shown_after_the_first_is_decided()
    {
        var first = _a.Send(ApprovalAppliance.CoinWithdrawal("0.1"));
        await _a.Panel.WaitForApproval("amount 0.1");
        var second = _a.Send(ApprovalAppliance.CoinWithdrawal("0.2"));
        var queued = await _a.Panel.WaitForText(t => t.Count > 0 && t[0] == "APPROVE? +1 wait");
        Assert.Contains("amount 0.1", queued); // still the first one on the display
        Assert.Equal(2u, (await _a.Client.GetStatusAsync()).PendingApprovals);

        await _a.Panel.Press(PanelButton.Approve);
        var signed = await first;
        Assert.Equal("button", signed.Approval);
        Assert.False(second.IsCompleted);

        await _a.Panel.WaitForApproval("amount 0.2");
        Assert.Equal("blink", _a.Panel.LedState(Led.Approval));
        await _a.Panel.Press(PanelButton.Reject);
        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.ApprovalRejected, () => second);

        var records = await _a.Records.WaitFor(2);
        Assert.Single(records, r => r.Outcome == "sent");
        Assert.Single(records, r => r.Reason == Reasons.ApprovalRejected);
    }

    [Fact]
    public async Task Caller_that_goes_away_signs_nothing_and_the_next_approval_is_shown()
    {
        using var cancel = new CancellationTokenSource();
        var gone = _a.Send(ApprovalAppliance.CoinWithdrawal("0.1"), cancellationToken: cancel.Token);
        await _a.Panel.WaitForApproval("amount 0.1");
        var next = _a.Send(ApprovalAppliance.CoinWithdrawal("0.2"));
        await _a.Panel.WaitForText(t => t.Count > 0 && t[0] == "APPROVE? +1 wait");

        await cancel.CancelAsync();
        var e = await Assert.ThrowsAsync<RpcException>(() => gone);
        Assert.Equal(StatusCode.Cancelled, e.StatusCode);

        // The server notices the cancelled call and moves on to the next approval.
        await _a.Panel.WaitForApproval("amount 0.2");
        var cancelled = Assert.Single(await _a.Records.WaitFor(1));
        Assert.Equal(("failed", "CANCELLED"), (cancelled.Outcome, cancelled.Reason));
        await _a.Panel.Press(PanelButton.Approve);
        await next;

        var records = await _a.Records.WaitFor(2);
        Assert.Single(records, r => r.Outcome == "sent");
    }

    [Fact]
    public async Task Press_with_nothing_waiting_changes_nothing()
    {
        await _a.Panel.Press(PanelButton.Approve);
        await Task.Delay(50);
        var call = _a.Send(ApprovalAppliance.CoinWithdrawal("0.1"));
        await _a.Panel.WaitForApproval("amount 0.1");
        await Task.Delay(50);
        Assert.False(call.IsCompleted); // an earlier press does not carry over to a new approval
        await _a.Panel.Press(PanelButton.Reject);
        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.ApprovalRejected, () => call);
    }

    [Fact]
    public async Task Pause_while_waiting_refuses_the_waiting_withdrawal()
    {
        var call = _a.Send(ApprovalAppliance.CoinWithdrawal("0.1"));
        await _a.Panel.WaitForApproval("amount 0.1");
        await _a.Panel.Hold();

        await RpcRefusals.AssertRefused(StatusCode.FailedPrecondition, Reasons.Paused, () => call);
        await _a.Panel.WaitForText(t => t.Take(2).SequenceEqual(PanelController.IdleLines(ApplianceStateKind.Paused))); // an alert line may follow
        Assert.Equal("off", _a.Panel.LedState(Led.Approval));
        Assert.Empty(_a.Records.Signed);
    }
}

/// <summary>Approvals that end by time: the approval's own timeout, or the caller's shorter deadline.</summary>
public sealed class ApprovalTimeoutTests
{
    [Fact]
    public async Task Unanswered_approval_times_out_with_permission_denied()
    {
        await using var a = await ApprovalAppliance.StartAsync(new ApprovalOptions { TimeoutSeconds = 0.4, MinViewMilliseconds = 0 });
        var clock = Stopwatch.StartNew();
        var call = a.Send(ApprovalAppliance.CoinWithdrawal("0.1"));
        await a.Panel.WaitForApproval("amount 0.1");

        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.ApprovalTimeout, () => call);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.4), TimeSpan.FromSeconds(3));
        var record = Assert.Single(await a.Records.WaitFor(1));
        Assert.Equal(("denied", Reasons.ApprovalTimeout), (record.Outcome, record.Reason));
        Assert.Equal("off", a.Panel.LedState(Led.Approval));

        // A press after the timeout approves nothing.
        await a.Panel.Press(PanelButton.Approve);
        await Task.Delay(50);
        Assert.Empty(a.Records.Signed);
    }

    [Fact]
    public async Task Deadline_shorter_than_the_timeout_ends_the_wait_before_the_caller_gives_up()
    {
        await using var a = await ApprovalAppliance.StartAsync(new ApprovalOptions { TimeoutSeconds = 30, MinViewMilliseconds = 0 });
        var clock = Stopwatch.StartNew();
        var call = a.Send(ApprovalAppliance.CoinWithdrawal("0.1"), deadline: TimeSpan.FromSeconds(1));
        await a.Panel.WaitForApproval("amount 0.1");

        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.ApprovalTimeout, () => call);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1));
        Assert.DoesNotContain(await a.Records.WaitFor(1), r => r.Outcome == "sent");
        await a.Panel.WaitForText(t => t.Count > 0 && t[0] == PanelController.IdleLines(ApplianceStateKind.Ready)[0]); // idle (an alert line may follow)
    }

    [Fact]
    public async Task Deadline_too_short_for_any_approval_is_refused_without_asking()
    {
        await using var a = await ApprovalAppliance.StartAsync();
        await a.Client.GetStatusAsync(); // connect first, so the short deadline is spent on the request, not the TLS handshake
        var e = await Assert.ThrowsAsync<RpcException>(() => a.Send(ApprovalAppliance.CoinWithdrawal("0.1"), deadline: TimeSpan.FromMilliseconds(200)));
        // Either the appliance refuses first or the client's deadline fires first; nothing is asked or signed.
        Assert.Contains(e.StatusCode, new[] { StatusCode.PermissionDenied, StatusCode.DeadlineExceeded });
        await a.Records.WaitFor(1);
        Assert.Empty(a.Records.Signed);
        Assert.False(a.Panel.EverAskedForApproval);
    }

    [Fact]
    public async Task Without_a_panel_withdrawals_are_refused_fail_closed()
    {
        await using var a = await ApprovalAppliance.StartAsync(withPanel: false);
        await RpcRefusals.AssertRefused(StatusCode.FailedPrecondition, Reasons.ApprovalUnavailable, () => a.Send(ApprovalAppliance.CoinWithdrawal("0.1")));
        Assert.Empty(a.Records.Signed);
    }

    [Fact]
    public async Task Touch_approval_is_shown_on_the_panel_like_a_button_one()
    {
        await using var a = await ApprovalAppliance.StartAsync(approval: ApprovalMode.Touch);
        // The touch is the approval (the demo's software token answers it at once); the panel showed what it approved.
        var sent = await a.Send(ApprovalAppliance.CoinWithdrawal("0.1"));
        Assert.Equal("touch", sent.Approval);
        Assert.Contains(a.Panel.Texts, t => t.Count > 1 && t[0] == "APPROVE?" && t[1] == "touch the key" && t.Contains("amount 0.1"));
        Assert.Single(await a.Records.WaitFor(1), r => r.Outcome == "sent");
        Assert.Single(a.Upbit.Accepted);
    }
}
