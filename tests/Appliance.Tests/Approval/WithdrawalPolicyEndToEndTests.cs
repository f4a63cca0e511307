using Appliance.Common;
using Appliance.Panel;
using Appliance.Tests.Support;
using Grpc.Core;

namespace Appliance.Tests.Approval;

/// <summary>
/// The bot's withdrawal policy over the real transport: a destination off the allowlist or an
/// amount over a cap is refused before the operator is asked, and only signed withdrawals count.
/// </summary>
public sealed class WithdrawalPolicyEndToEndTests : IAsyncLifetime
{
    private ApprovalAppliance _a = null!;

    public async ValueTask InitializeAsync() => _a = await ApprovalAppliance.StartAsync();

    public async ValueTask DisposeAsync() => await _a.DisposeAsync();

    private async Task AssertRefusedWithoutAsking(string reason, V1.SignRequest request)
    {
        var e = await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, reason, () => _a.Send(request));
        Assert.False(_a.Panel.EverAskedForApproval, "the operator was asked to approve a withdrawal the policy refuses");
        Assert.Equal("off", _a.Panel.LedState(Led.Approval));
        Assert.DoesNotContain("secret", e.Status.Detail, StringComparison.OrdinalIgnoreCase);
    }

    private async Task Approve(V1.SignRequest request, string shownAmount)
    {
        var call = _a.Send(request);
        await _a.Panel.WaitForApproval($"amount {shownAmount}");
        await _a.Panel.Press(PanelButton.Approve);
        var signed = await call;
        var (status, body) = (signed.HttpStatus, signed.Body.ToStringUtf8());
        Assert.True(status is 200 or 201, body);
    }

    [Theory]
    [InlineData("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdX", "BTC", "BTC", null)] // one character off
    [InlineData("BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ", "BTC", "BTC", null)] // case differs
    [InlineData(ApprovalAppliance.BtcAddress, "BTC", "ETH", null)] // right address, other network
    [InlineData(ApprovalAppliance.BtcAddress, "ETH", "BTC", null)] // right address, other currency
    [InlineData(ApprovalAppliance.XrpAddress, "XRP", "XRP", null)] // memo missing
    [InlineData(ApprovalAppliance.XrpAddress, "XRP", "XRP", "999999")] // other memo
    [InlineData(ApprovalAppliance.BtcAddress, "BTC", "BTC", "123456")] // memo where none is listed
    public async Task Destination_not_on_the_allowlist_is_refused_before_approval(string address, string currency, string net, string? memo)
    {
        await AssertRefusedWithoutAsking(Reasons.WithdrawAddressDenied,
            ApprovalAppliance.CoinWithdrawal("0.1", address, currency, net, memo));
        var record = Assert.Single(await _a.Records.WaitFor(1));
        Assert.Equal(("denied", Reasons.WithdrawAddressDenied), (record.Outcome, record.Reason));
    }

    [Fact]
    public async Task Listed_destination_with_its_memo_is_asked_and_signed()
    {
        await Approve(ApprovalAppliance.CoinWithdrawal("25", ApprovalAppliance.XrpAddress, "XRP", "XRP", ApprovalAppliance.XrpMemo), "25");
        var shown = _a.Panel.Texts.Last(t => t.Count > 0 && t[0].StartsWith("APPROVE?", StringComparison.Ordinal));
        Assert.Contains("memo/tag:", shown);
        Assert.Contains("1:1234 56", shown);
        Assert.Single(_a.Upbit.Accepted);
    }

    [Fact]
    public async Task Lowercase_currency_is_held_to_the_same_cap()
    {
        await AssertRefusedWithoutAsking(Reasons.WithdrawLimit, ApprovalAppliance.CoinWithdrawal("0.6", currency: "btc", netType: "btc"));
    }

    [Fact]
    public async Task Amount_above_the_per_withdrawal_cap_is_refused_before_approval()
    {
        await AssertRefusedWithoutAsking(Reasons.WithdrawLimit, ApprovalAppliance.CoinWithdrawal("0.50000001"));
        Assert.Empty(_a.Records.Signed);
    }

    [Fact]
    public async Task Krw_cap_applies_to_krw_withdrawals()
    {
        await AssertRefusedWithoutAsking(Reasons.WithdrawLimit,
            ApprovalAppliance.Request("POST", "/v1/withdraws/krw", ("amount", "1000001"), ("two_factor_type", "naver")));
    }

    [Fact]
    public async Task Rolling_24h_cap_counts_signed_withdrawals_only()
    {
        await Approve(ApprovalAppliance.CoinWithdrawal("0.5"), "0.5");

        // A rejected withdrawal does not count toward the cap ...
        var rejected = _a.Send(ApprovalAppliance.CoinWithdrawal("0.4"));
        await _a.Panel.WaitForApproval("amount 0.4");
        await _a.Panel.Press(PanelButton.Reject);
        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.ApprovalRejected, () => rejected);

        // ... so 0.5 more still fits under 1 BTC per 24 h,
        await Approve(ApprovalAppliance.CoinWithdrawal("0.5"), "0.5");
        var asked = _a.Panel.Texts.Count(t => t.Count > 0 && t[0].StartsWith("APPROVE?", StringComparison.Ordinal));

        // and then the smallest amount is refused without asking.
        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.WithdrawLimit, () => _a.Send(ApprovalAppliance.CoinWithdrawal("0.00000001")));
        Assert.Equal(asked, _a.Panel.Texts.Count(t => t.Count > 0 && t[0].StartsWith("APPROVE?", StringComparison.Ordinal)));

        var records = await _a.Records.WaitFor(4);
        Assert.Equal(2, records.Count(r => r.Outcome == "sent"));
        Assert.Equal(Reasons.WithdrawLimit, records[^1].Reason);
        Assert.Equal(2, _a.Upbit.Accepted.Count);
    }

    [Fact]
    public async Task Waiting_withdrawal_holds_its_amount_against_the_24h_cap()
    {
        var first = _a.Send(ApprovalAppliance.CoinWithdrawal("0.5"));
        await _a.Panel.WaitForApproval("amount 0.5");
        var second = _a.Send(ApprovalAppliance.CoinWithdrawal("0.5"));
        await _a.Panel.WaitForText(t => t.Count > 0 && t[0] == "APPROVE? +1 wait");

        // 0.5 signed-or-waiting + 0.5 waiting = 1: a third cannot be queued behind them.
        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.WithdrawLimit, () => _a.Send(ApprovalAppliance.CoinWithdrawal("0.1")));

        await _a.Panel.Press(PanelButton.Reject);
        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.ApprovalRejected, () => first);
        await _a.Panel.WaitForApproval("amount 0.5");
        await _a.Panel.Press(PanelButton.Approve);
        await second;

        // The rejected 0.5 was given back: 0.5 more fits.
        await Approve(ApprovalAppliance.CoinWithdrawal("0.5"), "0.5");
        Assert.Equal(2, (await _a.Records.WaitFor(4)).Count(r => r.Outcome == "sent"));
    }

    [Fact]
    public async Task Cancelling_a_withdrawal_needs_no_approval_and_no_allowlist()
    {
        var request = ApprovalAppliance.Request("DELETE", "/v1/withdraws/coin", ("uuid", "11111111-1111-4111-8111-111111111111"));
        var signed = await _a.Send(request);
        Assert.Equal("none", signed.Approval);
        Assert.False(_a.Panel.EverAskedForApproval);
        // The exchange answers (it knows no such withdrawal): what matters is that it was sent without an approval.
        Assert.Equal(("DELETE", "/v1/withdraws/coin"), (Assert.Single(_a.Upbit.Accepted).Method, _a.Upbit.Accepted[0].Path));
    }
}
