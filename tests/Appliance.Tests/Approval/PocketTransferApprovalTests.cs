using Appliance.Common;
using Appliance.Panel;
using Appliance.Tests.Support;
using Grpc.Core;

namespace Appliance.Tests.Approval;

/// <summary>A pocket transfer over the real transport: it waits for the panel like a withdrawal, and only to an allowed pocket.</summary>
public sealed class PocketTransferApprovalTests : IAsyncLifetime
{
    private const string Pocket = "11111111-1111-4111-8111-111111111111";
    private ApprovalAppliance _a = null!;

    public async ValueTask InitializeAsync() => _a = await ApprovalAppliance.StartAsync(transferPockets: [Pocket]);

    public async ValueTask DisposeAsync() => await _a.DisposeAsync();

    [Fact]
    public async Task A_transfer_to_an_allowed_pocket_waits_for_approval_then_the_exchange_accepts_it()
    {
        var request = ApprovalAppliance.Request("POST", "/v1/pockets/transfers", ("to", Pocket), ("currency", "KRW"), ("amount", "50000"));
        var call = _a.Sign(request);
        var shown = await _a.Panel.WaitForApproval("amount 50000");
        Assert.False(call.IsCompleted);
        Assert.Contains("transfer to pocket", shown);
        Assert.Contains("to pocket:", shown);
        Assert.Equal(Pocket.Replace("-", ""), string.Concat(shown.SkipWhile(l => l != "to pocket:").Skip(1)
            .TakeWhile(l => !l.StartsWith("credential", StringComparison.Ordinal)).Select(l => l[2..])).Replace(" ", "").Replace("-", ""));

        await _a.Panel.Press(PanelButton.Approve);
        var signed = await call;
        Assert.Equal("button", signed.Approval);
        var (status, body) = await _a.SendToUpbit(request, signed);
        Assert.True(status == 200, body);
    }

    [Fact]
    public async Task A_transfer_to_another_pocket_is_denied_before_anyone_is_asked()
    {
        var request = ApprovalAppliance.Request("POST", "/v1/pockets/transfers", ("to", "22222222-2222-4222-8222-222222222222"), ("currency", "KRW"), ("amount", "1"));
        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.TransferPocketDenied, () => _a.Sign(request));
        Assert.Equal(0u, (await _a.Client.GetStatusAsync()).PendingApprovals);
        Assert.Empty(_a.Upbit.Accepted);
    }
}
