using Appliance.Panel;
using Appliance.Config;
using Appliance.Devices.Panels;
using Appliance.Tests.Support;

namespace Appliance.Tests.Devices.Panels;

public sealed class PanelSelfTestTests
{
    [Fact]
    public async Task Walks_every_led_shows_text_and_reports_button_presses()
    {
        using var rig = new PanelRig(new PanelOptions { HoldMilliseconds = 300, DebounceMilliseconds = 10, BlinkMilliseconds = 50 },
            TimeProvider.System, display: i2c => new Appliance.Devices.Panels.Display.Hd44780TextDisplay(i2c));
        var written = new StringWriter();
        var output = TextWriter.Synchronized(written);
        string Output() { lock (output) return written.ToString(); } // SyncTextWriter locks on itself
        // Record what each LED was asked to do (the blinking itself is timed in GpioPanelLedTests).
        var modes = Enum.GetValues<Led>().ToDictionary(l => l, _ => new List<LedMode>());
        rig.Panel.Leds.ModeChanged += () =>
        {
            lock (modes)
                foreach (var (led, mode) in rig.Panel.Leds.Modes())
                    if (modes[led].Count == 0 || modes[led][^1] != mode) modes[led].Add(mode);
        };
        var test = new PanelSelfTest(rig.Panel, output, TimeProvider.System, TimeSpan.FromMilliseconds(120));
        using var stop = new CancellationTokenSource();
        var run = test.RunAsync(TimeSpan.FromSeconds(20), stop.Token);

        await Eventually.HoldsAsync(() => Output().Contains("press each button"), "the button stage", TimeSpan.FromSeconds(10));
        var approve = rig.Options.Buttons.Approve;
        rig.Driver.SetInput(approve, false);
        await Task.Delay(60);
        rig.Driver.Release(approve);
        await Eventually.HoldsAsync(() => Output().Contains("button: approve press"), "approve reported");
        rig.Driver.SetInput(rig.Options.Buttons.Reject!.Value, false);
        await Task.Delay(60);
        rig.Driver.Release(rig.Options.Buttons.Reject!.Value);
        await Eventually.HoldsAsync(() => Output().Contains("button: reject press"), "reject reported");
        rig.Driver.SetInput(approve, false);
        await Eventually.HoldsAsync(() => Output().Contains("button: approve long press (hold)"), "hold reported");
        rig.Driver.Release(approve);
        await Eventually.HoldsAsync(() => Hd44780Decoder.Replay(rig.I2c.Writes).Row(1).StartsWith("approve long pre"), "hold on the display");
        await stop.CancelAsync();
        var seen = await run;

        Assert.Equal([new(PanelButton.Approve, PressKind.Press), new(PanelButton.Reject, PressKind.Press), new ButtonEvent(PanelButton.Approve, PressKind.Hold)], seen);
        lock (modes)
            foreach (var led in Enum.GetValues<Led>())
                Assert.Equal([LedMode.On, LedMode.Blink, LedMode.Off], modes[led].SkipWhile(m => m == LedMode.Off).Take(3));
        await Eventually.HoldsAsync(() => rig.LedLit(Led.Activity) == false, "the last flash to end");
        foreach (var led in Enum.GetValues<Led>())
        {
            Assert.True(rig.Driver.WritesTo(rig.Options.LedPin(led)).Any(w => w.High), $"{led} was lit");
            Assert.False(rig.LedLit(led), $"{led} ends dark");
        }
        Assert.Contains("ready LED (green): blinking", Output());
    }
}
