using Appliance.Alerts;

namespace Appliance.Panel;

/// <summary>The four LEDs of the appliance (DESIGN.md, issue "Physical panel").</summary>
public enum Led
{
    /// <summary>Green, steady while serving.</summary>
    Ready,

    /// <summary>Blinks once per signature.</summary>
    Activity,

    /// <summary>Amber, blinking while an approval waits.</summary>
    Approval,

    /// <summary>Red: key absent, paused, audit failure, anomaly.</summary>
    Alert,
}

public enum PanelButton { Approve, Reject }

/// <summary>Press fires on release; Hold fires when a press lasts past the hold time (long press).</summary>
public enum PressKind { Press, Hold }

public sealed record ButtonEvent(PanelButton Button, PressKind Kind);

/// <summary>What the operator is asked to approve, in the order the display shows it.</summary>
public sealed record ApprovalPrompt(string Bot, string Operation, string? Currency, string? Network, string? Amount, string? Address);

/// <summary>
/// The hardware seam for hands and eyes: LEDs, an optional display, and buttons. Implemented by
/// the GPIO panel on the Pi, the console panel for <c>demo</c>, and the socket panel for tests.
/// Implementations must be thread-safe: the pipeline, the presence monitor and timers all call in.
/// </summary>
public interface IPanel : IDisposable
{
    /// <summary>Sets an LED steady on or off (stops any blinking on it).</summary>
    void SetLed(Led led, bool on);

    /// <summary>Blinks an LED until it is set steady again.</summary>
    void BlinkLed(Led led);

    /// <summary>One short flash (the activity LED per signature).</summary>
    void Pulse(Led led);

    /// <summary>Replaces the display text (lines); a panel without a display ignores it.</summary>
    void ShowText(IReadOnlyList<string> lines);

    /// <summary>Raised on a button press or long press, from the panel's own thread.</summary>
    event Action<ButtonEvent>? ButtonPressed;
}
