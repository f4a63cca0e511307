namespace Appliance.Panel;

/// <summary><c>--panel none</c>: no LEDs, no display, no buttons (so nothing can be approved).</summary>
public sealed class NullPanel : IPanel
{
    public void SetLed(Led led, bool on) { }
    public void BlinkLed(Led led) { }
    public void Pulse(Led led) { }
    public void ShowText(IReadOnlyList<string> lines) { }

    public event Action<ButtonEvent>? ButtonPressed { add { } remove { } }

    public void Dispose() { }
}
