using Appliance.Common;
using Appliance.Panel;
using Appliance.Provisioning;
using Appliance.Tests.Support;
using Grpc.Core;

namespace Appliance.Tests.Approval;

/// <summary>
/// A pocket transfer over the real transport (gRPC Send, the stand-in exchange with a sub-pocket key): it waits for
/// the panel like a withdrawal, reaches the exchange only after the button, and goes only to an allowed pocket.
/// </summary>
public sealed class PocketTransferApprovalTests : IAsyncLifetime
{
    private ApprovalAppliance _a = null!;
    private string _mainPocket = "";

    public async ValueTask InitializeAsync()
    {
        // The stand-in makes its pockets' uuids at start, so the bot is allowed the main pocket afterwards (a signed change).
        _a = await ApprovalAppliance.StartAsync(transferPockets: [], subPocketKey: true);
        _mainPocket = _a.Upbit.Exchange.PocketUuids.Main;
        await _a.UpdateBotAsync(p => p with { TransferPockets = [_mainPocket] });
    }

    public async ValueTask DisposeAsync() => await _a.DisposeAsync();

    [Fact]
    public async Task A_transfer_to_an_allowed_pocket_waits_for_approval_then_the_exchange_accepts_it()
    {
        var request = ApprovalAppliance.Request("POST", "/v1/pockets/transfers", ("to", _mainPocket), ("currency", "KRW"), ("amount", "50000"));
        var call = _a.Send(request);
        var shown = await _a.Panel.WaitForApproval("amount 50000");
        Assert.False(call.IsCompleted);
        Assert.Empty(_a.Upbit.Accepted); // nothing reached the exchange while the panel waits
        Assert.Contains("transfer to pocket", shown);
        Assert.Contains("to pocket:", shown);
        Assert.Equal(_mainPocket.Replace("-", ""), string.Concat(shown.SkipWhile(l => l != "to pocket:").Skip(1)
            .TakeWhile(l => !l.StartsWith("credential", StringComparison.Ordinal)).Select(l => l[2..])).Replace(" ", "").Replace("-", ""));

        await _a.Panel.Press(PanelButton.Approve);
        var sent = await call;
        Assert.Equal("button", sent.Approval);
        Assert.True(sent.HttpStatus is 200 or 201, sent.Body.ToStringUtf8());
        var accepted = Assert.Single(_a.Upbit.Accepted);
        Assert.Equal("/v1/pockets/transfers", accepted.Path);
        Assert.Equal(50_000m, _a.Upbit.Exchange.Holdings()["KRW"].Balance - ApprovalAppliance.MainKrw);
    }

    [Fact]
    public async Task A_rejected_transfer_never_reaches_the_exchange()
    {
        var request = ApprovalAppliance.Request("POST", "/v1/pockets/transfers", ("to", _mainPocket), ("currency", "KRW"), ("amount", "1000"));
        var call = _a.Send(request);
        await _a.Panel.WaitForApproval("amount 1000");
        await _a.Panel.Press(PanelButton.Reject);
        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.ApprovalRejected, () => call);
        Assert.Empty(_a.Upbit.Accepted);
    }

    [Fact]
    public async Task A_transfer_to_another_pocket_is_denied_before_anyone_is_asked()
    {
        var request = ApprovalAppliance.Request("POST", "/v1/pockets/transfers", ("to", "22222222-2222-4222-8222-222222222222"), ("currency", "KRW"), ("amount", "1"));
        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.TransferPocketDenied, () => _a.Send(request));
        Assert.Equal(0u, (await _a.Client.GetStatusAsync()).PendingApprovals);
        Assert.Empty(_a.Upbit.Accepted);
    }
}
