using Appliance.Approval;
using Appliance.Common;
using Appliance.Panel;
using Appliance.Pipeline;
using Appliance.Sealing;
using Appliance.Tests.Support;
using Appliance.Upbit;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tests.Approval;

/// <summary>
/// Two-step approvals on the gate with the test panel: the button first, then the touch, on one display entry;
/// the touch wait starts only after the button; each refusal names the step that was missing.
/// </summary>
public sealed class TwoStepGateTests : IDisposable
{
    private readonly TestPanel _panel = new();
    private readonly ApplianceState _state = new();
    private readonly PanelController _display;

    public TwoStepGateTests() => _display = new PanelController(_panel, _state);

    public void Dispose()
    {
        _display.Dispose();
        _panel.Dispose();
    }

    private static readonly ApprovalOptions Options = new()
    {
        TimeoutSeconds = 5,
        MinViewMilliseconds = 0,
        TwoStep = new Dictionary<string, decimal> { ["BTC"] = 0.5m, ["KRW"] = 1_000_000m },
    };

    private PanelApprovalGate Gate(ApprovalOptions? options = null, TimeProvider? time = null) =>
        new(_display, options ?? Options, _state, time ?? TimeProvider.System);

    private static ApprovalRequest Withdrawal(string amount) =>
        new ApprovalRequest("payout", "treasury", Coin(amount), Params(amount)) { TwoStep = true };

    private static List<UpbitParam> Params(string amount) =>
        [new("currency", "BTC"), new("net_type", "BTC"), new("amount", amount), new("address", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")];

    private static Endpoint Coin(string amount) => RequestValidator.Validate("POST", "/v1/withdraws/coin", Params(amount));

    [Theory]
    [InlineData("0.5", false)]  // at the threshold: one step
    [InlineData("0.50000001", true)]
    [InlineData("3", true)]
    public void The_threshold_is_per_currency_and_strictly_above(string amount, bool twoStep)
    {
        using var gate = Gate();
        Assert.Equal(twoStep, gate.NeedsTwoSteps(Coin(amount), Params(amount)));
    }

    [Fact]
    public void Other_currencies_and_requests_that_move_nothing_take_one_step()
    {
        using var gate = Gate();
        List<UpbitParam> eth = [new("currency", "ETH"), new("net_type", "ETH"), new("amount", "1000"), new("address", "0xabc")];
        Assert.False(gate.NeedsTwoSteps(RequestValidator.Validate("POST", "/v1/withdraws/coin", eth), eth));
        List<UpbitParam> order = [new("market", "KRW-BTC"), new("side", "bid"), new("ord_type", "limit"), new("price", "100000000"), new("volume", "10")];
        Assert.False(gate.NeedsTwoSteps(RequestValidator.Validate("POST", "/v1/orders", order), order));
        List<UpbitParam> krw = [new("amount", "2000000"), new("two_factor_type", "kakao")];
        Assert.True(gate.NeedsTwoSteps(RequestValidator.Validate("POST", "/v1/withdraws/krw", krw), krw));
        using var none = Gate(new ApprovalOptions { TimeoutSeconds = 5, MinViewMilliseconds = 0 });
        Assert.False(none.NeedsTwoSteps(Coin("1000"), Params("1000")));
    }

    [Theory]
    [InlineData("btc", "0.6", true)]       // a lower-case currency is still BTC
    [InlineData("BTC", "0.6.1", true)]     // an amount that does not parse counts as above (fail closed)
    [InlineData("BTC", "-1", true)]
    [InlineData("BTC", " 0.1", true)]
    [InlineData("BTC", "0.4999", false)]
    public void A_bot_cannot_dress_an_amount_or_currency_to_slip_under_the_threshold(string currency, string amount, bool twoStep)
    {
        using var gate = Gate();
        List<UpbitParam> p = [new("currency", currency), new("net_type", "BTC"), new("amount", amount), new("address", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")];
        var endpoint = RequestValidator.Validate("POST", "/v1/withdraws/coin", Params("0.1")); // the same endpoint, whatever the values
        Assert.Equal(twoStep, gate.NeedsTwoSteps(endpoint, p));
        List<UpbitParam> transfer = [new("to", "11111111-1111-1111-1111-111111111111"), new("currency", currency), new("amount", amount)];
        Assert.Equal(twoStep, gate.NeedsTwoSteps(RequestValidator.Validate("POST", "/v1/pockets/transfers",
            [new("to", "11111111-1111-1111-1111-111111111111"), new("currency", "BTC"), new("amount", "0.1")]), transfer));
    }

    [Fact]
    public async Task The_button_comes_first_then_the_touch_on_the_same_entry()
    {
        using var gate = Gate();
        var touched = new TaskCompletionSource<(string, TimeSpan)>();
        var touchStarted = 0;
        var approval = gate.ApproveByTouchAsync(Withdrawal("2"), _ => { Interlocked.Increment(ref touchStarted); return touched.Task; }, CancellationToken.None);

        var step1 = await _panel.WaitForApproval("amount 2");
        Assert.Equal(["APPROVE?", "step 1/2: button", "then: touch key"], step1.Take(3));
        await Task.Delay(100);
        Assert.Equal(0, Volatile.Read(ref touchStarted)); // no touch wait before the button

        await _panel.Press(PanelButton.Approve);
        var step2 = await _panel.WaitForText(t => t.Count > 1 && t[1] == "step 2/2: touch");
        Assert.Contains("amount 2", step2); // still the same request on display
        await Eventually.HoldsAsync(() => Volatile.Read(ref touchStarted) == 1, "the touch wait started after the button");
        await _panel.Press(PanelButton.Approve); // the button does not stand in for the touch
        await Task.Delay(50);
        Assert.False(approval.IsCompleted);

        touched.SetResult(("jwt", TimeSpan.FromSeconds(1)));
        var (result, grant) = await approval;
        Assert.Equal("jwt", result);
        Assert.Equal(ApprovalMode.Touch, grant.Mode);
        Assert.Equal(2, grant.Steps);
        Assert.Equal(0, gate.Pending);
    }

    [Fact]
    public async Task Reject_at_step_1_names_the_button_and_never_starts_the_touch()
    {
        using var gate = Gate();
        var started = false;
        var approval = gate.ApproveByTouchAsync(Withdrawal("2"), _ => { started = true; return Task.FromResult(("x", TimeSpan.Zero)); }, CancellationToken.None);
        await _panel.WaitForApproval("amount 2");
        await _panel.Press(PanelButton.Reject);
        var e = await Assert.ThrowsAsync<SignRefusal>(() => approval);
        Assert.Equal(Reasons.ApprovalRejected, e.Reason);
        Assert.Contains("step 1 of 2 (the approve button)", e.Message);
        Assert.False(started);
    }

    [Fact]
    public async Task Reject_at_step_2_names_the_touch_and_abandons_its_wait()
    {
        using var gate = Gate();
        var abandoned = new TaskCompletionSource();
        var approval = gate.ApproveByTouchAsync(Withdrawal("2"), async ct =>
        {
            ct.Register(() => abandoned.TrySetResult());
            await Task.Delay(Timeout.Infinite, ct);
            return ("never", TimeSpan.Zero);
        }, CancellationToken.None);
        await _panel.WaitForApproval("amount 2");
        await _panel.Press(PanelButton.Approve);
        await _panel.WaitForText(t => t.Count > 1 && t[1] == "step 2/2: touch");
        await _panel.Press(PanelButton.Reject);
        var e = await Assert.ThrowsAsync<SignRefusal>(() => approval);
        Assert.Equal(Reasons.ApprovalRejected, e.Reason);
        Assert.Contains("step 2 of 2 (the YubiKey touch)", e.Message);
        await abandoned.Task.WaitAsync(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task No_button_within_the_timeout_is_a_step_1_timeout()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var gate = Gate(time: clock);
        var approval = gate.ApproveByTouchAsync(Withdrawal("2"), _ => Task.FromResult(("x", TimeSpan.Zero)), CancellationToken.None);
        await _panel.WaitForApproval("amount 2");
        clock.Advance(TimeSpan.FromSeconds(5));
        var e = await Assert.ThrowsAsync<SignRefusal>(() => approval);
        Assert.Equal(Reasons.ApprovalTimeout, e.Reason);
        Assert.Contains("approve button", e.Message);
        Assert.Contains("step 1 of 2", e.Message);
    }

    [Fact]
    public async Task The_button_without_a_touch_is_a_step_2_timeout_with_a_fresh_timeout_for_the_touch()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var gate = Gate(time: clock);
        var approval = gate.ApproveByTouchAsync(Withdrawal("2"), ct => Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => ("never", TimeSpan.Zero), ct), CancellationToken.None);
        await _panel.WaitForApproval("amount 2");
        clock.Advance(TimeSpan.FromSeconds(4)); // the button came late in step 1…
        await _panel.Press(PanelButton.Approve);
        await _panel.WaitForText(t => t.Count > 1 && t[1] == "step 2/2: touch");
        clock.Advance(TimeSpan.FromSeconds(4)); // …and step 2 has its own timeout
        Assert.False(approval.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        var e = await Assert.ThrowsAsync<SignRefusal>(() => approval);
        Assert.Equal(Reasons.ApprovalTimeout, e.Reason);
        Assert.Contains("step 2 of 2", e.Message);
        Assert.Contains("no YubiKey touch", e.Message);
    }

    [Fact]
    public async Task A_token_that_gave_up_waiting_for_the_touch_is_a_step_2_timeout()
    {
        using var gate = Gate();
        var approval = gate.ApproveByTouchAsync<string>(Withdrawal("2"), _ => Task.FromException<(string, TimeSpan)>(Refusals.NoTouch(TimeSpan.FromSeconds(15))), CancellationToken.None);
        await _panel.WaitForApproval("amount 2");
        await _panel.Press(PanelButton.Approve);
        var e = await Assert.ThrowsAsync<SignRefusal>(() => approval);
        Assert.Equal(Reasons.ApprovalTimeout, e.Reason);
        Assert.Contains("step 2 of 2", e.Message);
    }

    [Fact]
    public async Task A_button_approval_cannot_be_two_step_and_without_a_panel_two_steps_are_refused()
    {
        using var gate = Gate();
        await Assert.ThrowsAsync<ArgumentException>(() => gate.ApproveAsync(Withdrawal("2"), CancellationToken.None));

        using var headless = new NoPanelApprovalGate(new Credentials.LogTouchPrompt(Microsoft.Extensions.Logging.Abstractions.NullLogger<Credentials.LogTouchPrompt>.Instance),
            TimeProvider.System, options: Options);
        var started = false;
        var e = await Assert.ThrowsAsync<SignRefusal>(() =>
            headless.ApproveByTouchAsync(Withdrawal("2"), _ => { started = true; return Task.FromResult(("x", TimeSpan.Zero)); }, CancellationToken.None));
        Assert.Equal(Reasons.ApprovalUnavailable, e.Reason);
        Assert.Contains("step 1 of 2", e.Message);
        Assert.False(started);
    }

    [Theory]
    [InlineData("btc", "upper-case code")]
    [InlineData("B TC", "upper-case code")]
    public void Bad_currency_names_are_refused_with_the_fix(string currency, string fix)
    {
        var options = new ApprovalOptions { TwoStep = new Dictionary<string, decimal> { [currency] = 1m } };
        Assert.Contains(fix, Assert.Throws<ArgumentException>(options.Validate).Message);
    }

    [Fact]
    public void A_negative_threshold_is_refused()
    {
        var options = new ApprovalOptions { TwoStep = new Dictionary<string, decimal> { ["BTC"] = -1m } };
        Assert.Contains("0 or more", Assert.Throws<ArgumentException>(options.Validate).Message);
    }
}
