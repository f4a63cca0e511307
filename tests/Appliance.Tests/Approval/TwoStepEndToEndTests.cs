using Appliance.Approval;
using Appliance.Audit;
using Appliance.Common;
using Appliance.Credentials;
using Appliance.Panel;
using Appliance.Provisioning;
using Appliance.Tests.Devices.Tokens;
using Appliance.Tests.Support;
using Grpc.Core;

namespace Appliance.Tests.Approval;

/// <summary>
/// Two-step approvals through the real server (gRPC Send, the stand-in exchange, a panel, a fake YubiKey whose
/// policy and touch-seal slots wait for a touch): above the BTC threshold a withdrawal needs the approve button and
/// then a touch; the button alone sends nothing. (The demo bot's cap is 0.01 BTC per withdrawal.) Below it, the button alone is enough.
/// </summary>
[Collection(TokenTimingCollection.Name)]
public sealed class TwoStepEndToEndTests : IAsyncLifetime
{
    private readonly TestPanel _panel = new();
    private FakeTokenAppliance _app = null!;
    private Appliance.Client.ApplianceClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        var approvals = new ApprovalOptions
        {
            TimeoutSeconds = 10,
            MinViewMilliseconds = 0,
            TwoStep = new Dictionary<string, decimal> { ["BTC"] = 0.005m },
        };
        // The fake key gives up on a touch after 1 s (a YubiKey: ~15 s).
        _app = await FakeTokenAppliance.StartAsync(key => key.TouchTimeout = TimeSpan.FromSeconds(1),
            new TokenPresenceOptions { TouchTimeoutAfter = TimeSpan.FromMilliseconds(800) },
            setup => setup with { Panel = _panel, Config = setup.Config with { Approval = approvals } });
        _client = _app.Client();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
        _panel.Dispose();
    }

    private Task<Appliance.V1.SendResponse> Withdraw(string amount, string credential = DemoSetup.WithdrawCredentialName) =>
        _client.SendAsync("POST", "/v1/withdraws/coin",
            [new("currency", "BTC"), new("net_type", "BTC"), new("amount", amount), new("address", "bc1qexampleaddress")], credential);

    [Fact]
    public async Task A_large_withdrawal_with_only_the_button_is_refused_at_step_2_and_nothing_is_sent()
    {
        var call = Withdraw("0.01");
        await _panel.WaitForApproval("amount 0.01");
        Assert.Equal("step 1/2: button", _panel.Text[1]);
        await _panel.Press(PanelButton.Approve);
        await _panel.WaitForText(t => t.Count > 1 && t[1] == "step 2/2: touch");

        var e = await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.ApprovalTimeout, () => call);
        Assert.Contains("step 2 of 2", e.Status.Detail);
        Assert.Empty(_app.Appliance.Exchange.Accepted);
        Assert.DoesNotContain(AuditReader.ReadAll(_app.Appliance.Data.AuditDir), r => r.Entry.Decision == "sent");
    }

    [Fact]
    public async Task A_large_withdrawal_with_the_button_then_a_touch_is_sent_and_audited_as_two_steps()
    {
        var touchAsked = new TaskCompletionSource();
        _app.Key.TouchRequested += () => touchAsked.TrySetResult();
        var call = Withdraw("0.01");
        await _panel.WaitForApproval("amount 0.01");
        Assert.False(_app.Key.Touch()); // a touch before the button answers nothing: no touch wait has started
        await _panel.Press(PanelButton.Approve);
        await touchAsked.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(_app.Key.Touch());

        var sent = await call;
        Assert.True(sent.HttpStatus is 200 or 201, sent.Body.ToStringUtf8());
        Assert.Equal("touch", sent.Approval);
        var accepted = Assert.Single(_app.Appliance.Exchange.Accepted);
        Assert.Equal("/v1/withdraws/coin", accepted.Path);
        Assert.Equal(DemoSetup.WithdrawAccessKey, accepted.AccessKey);
        var decision = Assert.Single(AuditReader.ReadAll(_app.Appliance.Data.AuditDir), r => r.Entry.Decision == "sent").Entry;
        Assert.Equal("touch", decision.ApprovalMode);
        Assert.Equal(2, decision.ApprovalSteps);
    }

    [Fact]
    public async Task A_withdrawal_at_the_threshold_takes_the_button_alone()
    {
        var touches = 0;
        _app.Key.TouchRequested += () => Interlocked.Increment(ref touches);
        var call = Withdraw("0.005");
        var shown = await _panel.WaitForApproval("amount 0.005");
        Assert.DoesNotContain("step 1/2: button", shown);
        await _panel.Press(PanelButton.Approve);
        var sent = await call;
        Assert.Equal("button", sent.Approval);
        Assert.True(sent.HttpStatus is 200 or 201, sent.Body.ToStringUtf8());
        Assert.Equal(0, Volatile.Read(ref touches));
        Assert.Null(Assert.Single(AuditReader.ReadAll(_app.Appliance.Data.AuditDir), r => r.Entry.Decision == "sent").Entry.ApprovalSteps);
    }

    [Fact]
    public async Task With_a_touch_credential_the_button_comes_before_the_unsealing_touch()
    {
        var touchAsked = new TaskCompletionSource();
        _app.Key.TouchRequested += () => touchAsked.TrySetResult();
        var call = Withdraw("0.008", FakeTokenAppliance.TouchCredential);
        await _panel.WaitForApproval("amount 0.008");
        await Task.Delay(200);
        Assert.False(touchAsked.Task.IsCompleted); // the key is not asked before the button
        await _panel.Press(PanelButton.Approve);
        await touchAsked.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(_app.Key.Touch());

        var sent = await call;
        Assert.Equal("touch", sent.Approval);
        Assert.True(sent.HttpStatus is 200 or 201, sent.Body.ToStringUtf8());
        Assert.Equal(FakeTokenAppliance.TouchAccessKey, Assert.Single(_app.Appliance.Exchange.Accepted).AccessKey);
    }

    [Fact]
    public async Task Reject_at_step_1_names_the_button_and_the_key_is_never_asked()
    {
        var touches = 0;
        _app.Key.TouchRequested += () => Interlocked.Increment(ref touches);
        var call = Withdraw("0.01");
        await _panel.WaitForApproval("amount 0.01");
        await _panel.Press(PanelButton.Reject);
        var e = await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.ApprovalRejected, () => call);
        Assert.Contains("step 1 of 2", e.Status.Detail);
        Assert.Equal(0, Volatile.Read(ref touches));
        Assert.Empty(_app.Appliance.Exchange.Accepted);
    }
}
