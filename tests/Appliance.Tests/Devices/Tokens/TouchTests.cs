using System.Diagnostics;
using Appliance.Common;
using Appliance.Tests.FakeUpbit;
using Appliance.Tests.Support;
using Appliance.Token;
using Grpc.Core;
using Appliance.Credentials;

namespace Appliance.Tests.Devices.Tokens;

/// <summary>
/// Touch-gated credentials through the real server: the touch is the approval; the secret exists only
/// for one use. The fake key waits 1 s for a touch (a YubiKey: ~15 s), and the appliance treats an
/// error after 0.8 s as a timeout (production: 14 s).
/// </summary>
[Collection(TokenTimingCollection.Name)]
public sealed class TouchTests : IAsyncLifetime
{
    private FakeTokenAppliance _app = null!;
    private Appliance.Client.ApplianceClient _client = null!;
    private readonly List<SecretBytes> _released = [];

    public async ValueTask InitializeAsync()
    {
        var options = new TokenPresenceOptions
        {
            TouchTimeoutAfter = TimeSpan.FromMilliseconds(800),
            SecretReleasedForTests = s => { lock (_released) _released.Add(s); },
        };
        _app = await FakeTokenAppliance.StartAsync(key => key.TouchTimeout = TimeSpan.FromSeconds(1), options);
        _client = _app.Client();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    private Task<Appliance.V1.SendResponse> SignWithTouchCredential() =>
        _client.SendAsync("GET", "/v1/accounts", [], FakeTokenAppliance.TouchCredential);

    private void TouchAfter(TimeSpan delay) =>
        _app.Key.TouchRequested += () => _ = Task.Delay(delay).ContinueWith(_ => _app.Key.Touch(), TaskScheduler.Default);

    [Fact]
    public async Task A_touch_signs_once_with_approval_touch_and_the_secret_is_zeroed_right_after()
    {
        TouchAfter(TimeSpan.FromMilliseconds(200));
        var signed = await SignWithTouchCredential();

        Assert.Equal("touch", signed.Approval);
        Assert.Equal(1, _app.Prompts.Begun);
        Assert.Equal(1, _app.Prompts.Ended);
        Assert.Equal(FakeTokenAppliance.TouchCredential, _app.Prompts.Last!.Credential);
        Assert.Equal("/v1/accounts", _app.Prompts.Last.Path);
        var used = Assert.Single(_released);
        Assert.True(used.IsDisposed);
        Assert.True(used.ZeroedOnDispose);
        // The touch credential never sits in the vault between uses.
        Assert.DoesNotContain(_app.Appliance.Server.Vault.SecretsForTests(), s => s == used);

        Assert.Equal(200, signed.HttpStatus);
        Assert.Equal(FakeTokenAppliance.TouchAccessKey, Assert.Single(_app.Appliance.Exchange.Accepted).AccessKey);
    }

    [Fact]
    public async Task Each_use_needs_its_own_touch()
    {
        TouchAfter(TimeSpan.FromMilliseconds(50));
        await SignWithTouchCredential();
        await SignWithTouchCredential();
        Assert.Equal(2, _app.Prompts.Begun);
        Assert.Equal(2, _released.Count);
    }

    [Fact]
    public async Task No_touch_is_an_approval_timeout_and_nothing_is_signed()
    {
        var clock = Stopwatch.StartNew();
        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.ApprovalTimeout, SignWithTouchCredential);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
        Assert.Empty(_released); // never unsealed
        Assert.Equal(1, _app.Prompts.Ended);
        // A late touch after the timeout signs nothing and the appliance is still usable.
        Assert.False(_app.Key.Touch());
        Assert.True(_app.Appliance.Server.State.TokenPresent);
        await _client.SendAsync("GET", "/v1/accounts", []);
    }

    [Fact]
    public async Task A_fast_token_error_is_a_token_failure_not_a_timeout()
    {
        _app.Key.FailNextTouchOperation = true;
        var e = await RpcRefusals.AssertRefused(StatusCode.FailedPrecondition, Reasons.TokenError, SignWithTouchCredential);
        // The token's own error code goes to the operator's log, never to the bot.
        Assert.DoesNotContain("CKR_", e.Status.Detail);
        Assert.Empty(_released);
    }

    [Fact]
    public async Task Unplugging_during_the_touch_wait_refuses_with_KEY_ABSENT_at_once()
    {
        var clock = new Stopwatch();
        _app.Key.TouchRequested += () => _ = Task.Delay(100).ContinueWith(_ => { clock.Start(); _app.Key.Unplug(); }, TaskScheduler.Default);
        await RpcRefusals.AssertRefused(StatusCode.FailedPrecondition, Reasons.KeyAbsent, SignWithTouchCredential);
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(500), $"refused {clock.Elapsed.TotalMilliseconds:F0} ms after the unplug");
        Assert.Empty(_released);
        Assert.True(await FakeTokenAppliance.WaitUntil(() => !_app.Appliance.Server.State.TokenPresent, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task The_touch_wait_does_not_hold_up_other_bots()
    {
        var waiting = new TaskCompletionSource();
        _app.Key.TouchRequested += () => waiting.TrySetResult();
        var pending = SignWithTouchCredential();
        await waiting.Task.WaitAsync(TimeSpan.FromSeconds(2));

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++) await _client.SendAsync("GET", "/v1/accounts", []);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"20 signatures took {clock.Elapsed.TotalMilliseconds:F0} ms during a touch wait");

        Assert.True(_app.Key.Touch());
        Assert.Equal("touch", (await pending).Approval);
    }

    private static KeyValuePair<string, string>[] Withdrawal =>
        [new("currency", "BTC"), new("net_type", "BTC"), new("amount", "0.01"), new("address", "bc1qexampleaddress")];

    [Fact]
    public async Task A_withdrawal_with_a_touch_credential_is_approved_by_the_touch_alone()
    {
        // This server has no panel (NoPanelApprovalGate refuses withdrawals): the touch is the only approval there is.
        TouchAfter(TimeSpan.FromMilliseconds(50));
        var signed = await _client.SendAsync("POST", "/v1/withdraws/coin", Withdrawal, FakeTokenAppliance.TouchCredential);
        Assert.Equal("touch", signed.Approval);
        Assert.Equal(1, _app.Prompts.Begun);
        Assert.Equal("POST /v1/withdraws/coin currency=BTC net_type=BTC amount=0.01 address=bc1qexampleaddress", _app.Prompts.Last!.Describe());
    }

    [Fact]
    public async Task A_withdrawal_with_a_credential_without_touch_still_needs_the_gate()
    {
        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.ScopeDenied,
            () => _client.SendAsync("POST", "/v1/withdraws/coin", Withdrawal));
        Assert.Equal(0, _app.Prompts.Begun);
    }
}
