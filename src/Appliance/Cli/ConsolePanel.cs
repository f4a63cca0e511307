using Appliance.Signing;

namespace Appliance.Cli;

/// <summary>
/// The console stand-in for the LEDs: one line whenever the appliance state changes. The full
/// console panel (display text, approval keys) belongs to the panel feature.
/// </summary>
internal sealed class ConsolePanel(TextWriter output, ApplianceState state)
{
    public void Show()
    {
        state.Changed += Print;
        Print();
    }

    private void Print()
    {
        var (ready, alert) = state.Name switch
        {
            "ready" => ("●", "○"),
            _ => ("○", "●"),
        };
        output.WriteLine($"[panel] ready {ready} green   alert {alert} red   state: {state.Name}");
    }
}
