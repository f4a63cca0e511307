using System.Device.Gpio;
using Appliance.Panel;
using Appliance.Pipeline;
using Appliance.Config;
using Appliance.Common;

namespace Appliance.Tests.Devices.Panels;

public sealed class GpioPanelLedTests
{
    private static readonly TimeSpan Blink = TimeSpan.FromMilliseconds(400);

    [Fact]
    public void Opens_leds_as_outputs_driven_off_and_buttons_as_pulled_up_inputs()
    {
        using var rig = new PanelRig();
        var o = rig.Options;
        foreach (var pin in new[] { o.Leds.Ready, o.Leds.Activity, o.Leds.Approval, o.Leds.Alert })
        {
            Assert.Equal(PinMode.Output, rig.Driver.ModeOf(pin));
            Assert.False(rig.Driver.Output(pin));
        }
        Assert.Equal(PinMode.InputPullUp, rig.Driver.ModeOf(o.Buttons.Approve));
        Assert.Equal(PinMode.InputPullUp, rig.Driver.ModeOf(o.Buttons.Reject!.Value));
        Assert.Equal(1, rig.Driver.CallbackCount(o.Buttons.Approve));
    }

    [Fact]
    public void Approval_led_blinks_while_an_approval_waits_and_stops_after_it()
    {
        using var rig = new PanelRig();
        var state = new ApplianceState();
        using var controller = new PanelController(rig.Panel, state);
        Assert.True(rig.LedLit(Led.Ready));
        Assert.False(rig.LedLit(Led.Alert));
        Assert.False(rig.LedLit(Led.Approval));

        controller.ShowApproval(new ApprovalPrompt("bot1", "withdraw coin", "BTC", "BTC", "0.5", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"));
        Assert.True(rig.LedLit(Led.Approval)); // lit at once, then blinking
        var seen = new List<bool>();
        for (var i = 0; i < 6; i++)
        {
            rig.FakeTime.Advance(Blink);
            seen.Add(rig.LedLit(Led.Approval)!.Value);
        }
        Assert.Equal([false, true, false, true, false, true], seen);
        Assert.True(rig.LedLit(Led.Ready)); // still serving

        controller.EndApproval();
        Assert.False(rig.LedLit(Led.Approval));
        var writesAfterEnd = rig.Driver.WritesTo(rig.Options.Leds.Approval).Count;
        rig.FakeTime.Advance(Blink * 5);
        Assert.False(rig.LedLit(Led.Approval));
        Assert.Equal(writesAfterEnd, rig.Driver.WritesTo(rig.Options.Leds.Approval).Count); // the blink timer is gone
        // Opened low, set off by the LED board, then one write per visible change: on, 6 toggles, off.
        Assert.Equal([false, false, true, false, true, false, true, false, true, false],
            rig.Driver.WritesTo(rig.Options.Leds.Approval).Select(w => w.High));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void Alert_is_red_and_ready_dark_when_the_key_is_absent_or_signing_is_paused(bool keyPresent, bool paused)
    {
        using var rig = new PanelRig();
        var state = new ApplianceState();
        using var controller = new PanelController(rig.Panel, state);
        state.TokenPresent = keyPresent;
        state.Paused = paused;
        Assert.False(rig.LedLit(Led.Ready));
        Assert.True(rig.LedLit(Led.Alert));

        state.TokenPresent = true;
        state.Paused = false;
        Assert.True(rig.LedLit(Led.Ready));
        Assert.False(rig.LedLit(Led.Alert));
    }

    [Fact]
    public void Raised_alert_lights_red_while_still_serving_until_cleared()
    {
        using var rig = new PanelRig();
        using var controller = new PanelController(rig.Panel, new ApplianceState());
        controller.RaiseAlert("audit failed");
        Assert.True(rig.LedLit(Led.Alert));
        Assert.True(rig.LedLit(Led.Ready));
        controller.ClearAlert();
        Assert.False(rig.LedLit(Led.Alert));
    }

    [Fact]
    public void Each_signature_flashes_the_activity_led_for_the_pulse_length()
    {
        using var rig = new PanelRig();
        using var controller = new PanelController(rig.Panel, new ApplianceState());
        controller.OnSigned();
        Assert.True(rig.LedLit(Led.Activity));
        rig.FakeTime.Advance(rig.Options.PulseLength / 2);
        Assert.True(rig.LedLit(Led.Activity));
        rig.FakeTime.Advance(rig.Options.PulseLength / 2);
        Assert.False(rig.LedLit(Led.Activity));

        // Signatures in quick succession keep it lit until the last flash ends.
        controller.OnSigned();
        rig.FakeTime.Advance(rig.Options.PulseLength / 2);
        controller.OnSigned();
        rig.FakeTime.Advance(rig.Options.PulseLength * 3 / 4);
        Assert.True(rig.LedLit(Led.Activity));
        rig.FakeTime.Advance(rig.Options.PulseLength / 4);
        Assert.False(rig.LedLit(Led.Activity));
        Assert.Equal(3, controller.Signed);
        Assert.Equal(3, rig.Panel.Leds.Pulses(Led.Activity));
    }

    [Fact]
    public void Active_low_wiring_inverts_the_levels()
    {
        var options = new PanelOptions { Leds = new LedPins { ActiveLow = true } };
        using var rig = new PanelRig(options);
        Assert.True(rig.Driver.Output(options.Leds.Ready)); // high = dark
        rig.Panel.SetLed(Led.Ready, true);
        Assert.False(rig.Driver.Output(options.Leds.Ready));
        Assert.True(rig.LedLit(Led.Ready));
    }

    [Fact]
    public void Dispose_turns_every_led_off_releases_the_lines_and_the_chip()
    {
        var rig = new PanelRig();
        rig.Panel.SetLed(Led.Ready, true);
        rig.Panel.BlinkLed(Led.Approval);
        rig.Panel.SetLed(Led.Alert, true);
        rig.Dispose();
        foreach (var (_, pin) in rig.Options.UsedPins()) Assert.False(rig.Driver.IsOpen(pin));
        Assert.All(new[] { Led.Ready, Led.Approval, Led.Alert }, led =>
            Assert.False(rig.Driver.WritesTo(rig.Options.LedPin(led)).Last().High));
        Assert.True(rig.Driver.Disposed);
    }

    [Fact]
    public void Two_leds_blinking_blink_in_step()
    {
        using var rig = new PanelRig();
        rig.Panel.BlinkLed(Led.Approval);
        rig.FakeTime.Advance(Blink / 2);
        rig.Panel.BlinkLed(Led.Alert);
        for (var i = 0; i < 4; i++)
        {
            rig.FakeTime.Advance(Blink);
            Assert.Equal(rig.LedLit(Led.Approval), rig.LedLit(Led.Alert));
        }
    }
}
