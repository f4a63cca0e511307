using Appliance.Panel;

namespace Appliance.Devices.Panels;

/// <summary>
/// <c>appliance panel test</c>: for someone assembling the hardware. Lights each LED (on, blink,
/// off) while saying which one should be lit, puts text on the display, then reports every button
/// press until cancelled or timed out.
/// </summary>
public sealed class PanelSelfTest(IPanel panel, TextWriter output, TimeProvider time, TimeSpan step)
{
    public static readonly TimeSpan DefaultStep = TimeSpan.FromSeconds(1);

    private static readonly (Led Led, string Colour)[] Leds =
        [(Led.Ready, "green"), (Led.Activity, "any colour"), (Led.Approval, "amber"), (Led.Alert, "red")];

    /// <summary>Returns the button events seen.</summary>
    public async Task<IReadOnlyList<ButtonEvent>> RunAsync(TimeSpan buttonWait, CancellationToken cancellationToken)
    {
        var seen = new List<ButtonEvent>();
        try
        {
            await WalkLedsAsync(cancellationToken);
            await ReportButtonsAsync(seen, buttonWait, cancellationToken);
        }
        catch (OperationCanceledException) { output.WriteLine("stopped."); }
        finally
        {
            foreach (var (led, _) in Leds) panel.SetLed(led, false);
            panel.ShowText([]);
        }
        lock (seen) return seen.ToList();
    }

    private async Task WalkLedsAsync(CancellationToken cancellationToken)
    {
        foreach (var (led, colour) in Leds)
        {
            var name = PanelSnapshot.Name(led);
            panel.ShowText(["panel test", $"LED {name}"]);
            output.WriteLine($"{name} LED ({colour}): on");
            panel.SetLed(led, true);
            await Task.Delay(step, time, cancellationToken);
            output.WriteLine($"{name} LED ({colour}): blinking");
            panel.BlinkLed(led);
            await Task.Delay(step * 2, time, cancellationToken);
            output.WriteLine($"{name} LED ({colour}): off");
            panel.SetLed(led, false);
        }
        output.WriteLine("activity LED: five short flashes");
        for (var i = 0; i < 5; i++)
        {
            panel.Pulse(Led.Activity);
            await Task.Delay(step / 4, time, cancellationToken);
        }
        panel.ShowText(["panel test", "0123456789ABCDEF", "press a button", "hold approve 2s"]);
        output.WriteLine("display: 'panel test', '0123456789ABCDEF', 'press a button', 'hold approve 2s' (a 16x2 LCD cycles pages)");
    }

    private async Task ReportButtonsAsync(List<ButtonEvent> seen, TimeSpan buttonWait, CancellationToken cancellationToken)
    {
        output.WriteLine($"press each button, and hold approve; {(buttonWait == Timeout.InfiniteTimeSpan ? "Ctrl+C" : $"Ctrl+C or {buttonWait.TotalSeconds:0} s")} ends the test.");
        void OnButton(ButtonEvent e)
        {
            lock (seen) seen.Add(e);
            var what = $"{PanelSnapshotName(e.Button)} {(e.Kind == PressKind.Hold ? "long press (hold)" : "press")}";
            lock (output) output.WriteLine($"button: {what}");
            panel.ShowText(["panel test", what]);
            panel.Pulse(Led.Activity);
        }
        panel.ButtonPressed += OnButton;
        try { await Task.Delay(buttonWait, time, cancellationToken); }
        finally { panel.ButtonPressed -= OnButton; }
    }

    private static string PanelSnapshotName(PanelButton button) => button.ToString().ToLowerInvariant();
}
