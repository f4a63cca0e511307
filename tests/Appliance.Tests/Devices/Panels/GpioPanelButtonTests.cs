using System.Device.Gpio;
using Appliance.Panel;
using Appliance.Pipeline;
using Iot.Device.Button;
using Appliance.Config;
using Appliance.Devices.Panels;
using Appliance.Common;
using Appliance.Tests.Support;

namespace Appliance.Tests.Devices.Panels;

/// <summary>
/// Buttons through the real GpioPanel and Iot.Device's ButtonBase, which times holds with real
/// timers: these tests use real time, with a 300 ms hold and 20 ms debounce to stay short.
/// </summary>
public sealed class GpioPanelButtonTests
{
    private static readonly TimeSpan BounceGap = TimeSpan.FromMilliseconds(0.4);

    private static PanelRig Rig(bool pullUpSupported = true, PanelOptions? options = null) => new(
        options ?? new PanelOptions { HoldMilliseconds = 300, DebounceMilliseconds = 20 }, TimeProvider.System, pullUpSupported: pullUpSupported);

    [Fact]
    public async Task A_clean_press_is_one_press_reported_on_release()
    {
        using var rig = Rig();
        var pin = rig.Options.Buttons.Approve;
        rig.Driver.SetInput(pin, false);
        await Task.Delay(80);
        Assert.Empty(rig.EventsSoFar()); // nothing until release
        rig.Driver.Release(pin);
        await Eventually.HoldsAsync(() => rig.EventsSoFar().Count == 1, "one press");
        await Task.Delay(60);
        Assert.Equal([new ButtonEvent(PanelButton.Approve, PressKind.Press)], rig.EventsSoFar());
    }

    [Fact]
    public async Task Contact_bounce_on_press_and_release_gives_exactly_one_press()
    {
        using var rig = Rig();
        var pin = rig.Options.Buttons.Approve;
        await Task.Run(() => rig.Driver.Bounce(pin, finalHigh: false, edges: 7, BounceGap));
        await Task.Delay(100);
        Assert.Empty(rig.EventsSoFar()); // the bounces did not count as releases
        await Task.Run(() => rig.Driver.Bounce(pin, finalHigh: true, edges: 5, BounceGap));
        await Eventually.HoldsAsync(() => rig.EventsSoFar().Count >= 1, "a press");
        await Task.Delay(100);
        Assert.Equal([new ButtonEvent(PanelButton.Approve, PressKind.Press)], rig.EventsSoFar());
    }

    [Fact]
    public async Task A_glitch_shorter_than_the_debounce_time_is_ignored()
    {
        using var rig = Rig();
        var pin = rig.Options.Buttons.Approve;
        await Task.Run(() => rig.Driver.Bounce(pin, finalHigh: true, edges: 4, BounceGap));
        await Task.Delay(100);
        Assert.Empty(rig.EventsSoFar());
    }

    [Fact]
    public async Task A_long_press_on_approve_is_a_hold_not_an_approval_and_toggles_pause()
    {
        using var rig = Rig();
        var state = new ApplianceState();
        using var controller = new PanelController(rig.Panel, state);
        using var pause = new Appliance.Admin.PauseControl(state, rig.Panel);
        var pin = rig.Options.Buttons.Approve;

        await Task.Run(() => rig.Driver.Bounce(pin, finalHigh: false, edges: 5, BounceGap));
        await Eventually.HoldsAsync(() => rig.EventsSoFar().Count == 1, "hold after 300 ms");
        Assert.True(state.Paused);
        Assert.True(rig.LedLit(Led.Alert));
        Assert.False(rig.LedLit(Led.Ready));
        await Task.Run(() => rig.Driver.Bounce(pin, finalHigh: true, edges: 5, BounceGap));
        await Task.Delay(100);
        Assert.Equal([new ButtonEvent(PanelButton.Approve, PressKind.Hold)], rig.EventsSoFar()); // release is not a press

        rig.Driver.SetInput(pin, false);
        await Eventually.HoldsAsync(() => rig.EventsSoFar().Count == 2, "second hold");
        rig.Driver.Release(pin);
        await Task.Delay(60);
        Assert.False(state.Paused);
        Assert.True(rig.LedLit(Led.Ready));

        // A short press afterwards is an ordinary press again.
        rig.Driver.SetInput(pin, false);
        await Task.Delay(60);
        rig.Driver.Release(pin);
        await Eventually.HoldsAsync(() => rig.EventsSoFar().Count == 3, "press after holds");
        Assert.Equal(new ButtonEvent(PanelButton.Approve, PressKind.Press), rig.EventsSoFar()[2]);
    }

    [Fact]
    public async Task A_press_shorter_than_the_hold_time_does_not_pause()
    {
        using var rig = Rig();
        var state = new ApplianceState();
        using var controller = new PanelController(rig.Panel, state);
        var pin = rig.Options.Buttons.Approve;
        rig.Driver.SetInput(pin, false);
        await Task.Delay(150);
        rig.Driver.Release(pin);
        await Eventually.HoldsAsync(() => rig.EventsSoFar().Count == 1, "press");
        await Task.Delay(350);
        Assert.False(state.Paused);
        Assert.Equal([new ButtonEvent(PanelButton.Approve, PressKind.Press)], rig.EventsSoFar());
    }

    [Fact]
    public async Task Reject_button_reports_reject_and_a_long_press_on_it_is_still_a_reject()
    {
        using var rig = Rig();
        var pin = rig.Options.Buttons.Reject!.Value;
        rig.Driver.SetInput(pin, false);
        await Task.Delay(400);
        rig.Driver.Release(pin);
        await Eventually.HoldsAsync(() => rig.EventsSoFar().Count == 1, "reject");
        Assert.Equal([new ButtonEvent(PanelButton.Reject, PressKind.Press)], rig.EventsSoFar());
    }

    [Fact]
    public async Task A_button_held_down_at_start_counts_only_after_it_is_released_and_pressed_again()
    {
        var driver = new FakeGpioDriver();
        var options = new PanelOptions { HoldMilliseconds = 300, DebounceMilliseconds = 20 };
        var gpio = new GpioController(driver);
        gpio.OpenPin(options.Buttons.Approve, PinMode.InputPullUp);
        driver.SetInput(options.Buttons.Approve, false); // stuck or held while the service starts
        gpio.ClosePin(options.Buttons.Approve);
        using var panel = new GpioPanel(gpio, options, TimeProvider.System);
        var events = new List<ButtonEvent>();
        panel.ButtonPressed += e => { lock (events) events.Add(e); };
        await Task.Delay(400);
        driver.Release(options.Buttons.Approve);
        await Task.Delay(80);
        lock (events) Assert.Empty(events);
    }

    [Fact]
    public void Without_internal_pull_ups_the_panel_asks_for_external_resistors()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Rig(pullUpSupported: false));
        Assert.Contains("external_pull_up", e.Message);

        using var rig = Rig(pullUpSupported: false, new PanelOptions { Buttons = new ButtonPins { ExternalPullUp = true } });
        Assert.Equal(PinMode.Input, rig.Driver.ModeOf(rig.Options.Buttons.Approve));
    }

    [Fact]
    public async Task A_failing_button_handler_does_not_stop_later_presses()
    {
        using var rig = Rig();
        var calls = 0;
        rig.Panel.ButtonPressed += _ => { Interlocked.Increment(ref calls); throw new InvalidOperationException("handler bug"); };
        var pin = rig.Options.Buttons.Approve;
        for (var i = 0; i < 2; i++)
        {
            rig.Driver.SetInput(pin, false);
            await Task.Delay(40);
            rig.Driver.Release(pin);
            await Eventually.HoldsAsync(() => Volatile.Read(ref calls) == i + 1, $"press {i + 1}");
        }
    }

    /// <summary>
    /// Why the panel debounces by settling instead of using GpioButton's debounceTime: with it,
    /// bounce on the way down ends the press at once (an early Press, and no hold).
    /// </summary>
    [Fact]
    public async Task Library_GpioButton_turns_contact_bounce_into_an_early_press()
    {
        var driver = new FakeGpioDriver();
        using var gpio = new GpioController(driver);
        using var button = new GpioButton(5, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(300), isPullUp: true,
            hasExternalResistor: false, gpio: gpio, shouldDispose: false, debounceTime: TimeSpan.FromMilliseconds(20));
        button.IsHoldingEnabled = true;
        var presses = 0;
        var holds = 0;
        button.Press += (_, _) => Interlocked.Increment(ref presses);
        button.Holding += (_, e) => { if (e.HoldingState == ButtonHoldingState.Started) Interlocked.Increment(ref holds); };
        await Task.Run(() => driver.Bounce(5, finalHigh: false, edges: 5, BounceGap)); // press and keep holding
        await Task.Delay(450);
        Assert.Equal(1, presses); // reported while the button is still down
        Assert.Equal(0, holds);   // the long press was lost
    }
}
