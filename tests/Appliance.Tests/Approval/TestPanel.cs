using Appliance.Panel;

namespace Appliance.Tests.Approval;

/// <summary>
/// The panel seam for tests: records every LED and display call, and lets a test press buttons.
/// Like the hardware, a press arrives on another thread a little later (GPIO edge, debounce,
/// GpioButton's release), never inline in the test's call.
/// </summary>
public sealed class TestPanel : IPanel
{
    /// <summary>About what a debounced GPIO button adds between the edge and the event.</summary>
    public static readonly TimeSpan PressDelay = TimeSpan.FromMilliseconds(15);

    private readonly Lock _lock = new();
    private readonly Dictionary<Led, string> _leds = Enum.GetValues<Led>().ToDictionary(l => l, _ => "off");
    private readonly List<IReadOnlyList<string>> _texts = [];
    private readonly List<string> _ledCalls = [];
    private bool _disposed;

    public event Action<ButtonEvent>? ButtonPressed;

    /// <summary>"off", "on" or "blink".</summary>
    public string LedState(Led led) { lock (_lock) return _leds[led]; }

    public IReadOnlyList<string> Text { get { lock (_lock) return _texts.Count == 0 ? [] : _texts[^1]; } }

    /// <summary>Every text shown, in order.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Texts { get { lock (_lock) return [.. _texts]; } }

    public IReadOnlyList<string> LedCalls { get { lock (_lock) return [.. _ledCalls]; } }

    /// <summary>True once any approval prompt was put on the display.</summary>
    public bool EverAskedForApproval => Texts.Any(t => t.Count > 0 && t[0].StartsWith("APPROVE?", StringComparison.Ordinal));

    public void SetLed(Led led, bool on) => Record(led, on ? "on" : "off");

    public void BlinkLed(Led led) => Record(led, "blink");

    public void Pulse(Led led) { lock (_lock) _ledCalls.Add($"{led}:pulse"); }

    public void ShowText(IReadOnlyList<string> lines)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _texts.Add([.. lines]);
        }
    }

    public Task Press(PanelButton button) => Raise(new ButtonEvent(button, PressKind.Press));

    public Task Hold(PanelButton button = PanelButton.Approve) => Raise(new ButtonEvent(button, PressKind.Hold));

    /// <summary>Waits until the display shows text that satisfies <paramref name="shown"/>.</summary>
    public async Task<IReadOnlyList<string>> WaitForText(Func<IReadOnlyList<string>, bool> shown, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(5));
        while (true)
        {
            var text = Text;
            if (shown(text)) return text;
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"The panel never showed the expected text; it shows: {string.Join(" | ", text)}");
            await Task.Delay(5);
        }
    }

    /// <summary>Waits until an approval prompt mentioning <paramref name="contains"/> is on the display.</summary>
    public Task<IReadOnlyList<string>> WaitForApproval(string contains, TimeSpan? timeout = null) =>
        WaitForText(t => t.Count > 0 && t[0].StartsWith("APPROVE?", StringComparison.Ordinal) && t.Any(l => l.Contains(contains, StringComparison.Ordinal)), timeout);

    private Task Raise(ButtonEvent e) => Task.Run(async () =>
    {
        await Task.Delay(PressDelay);
        ButtonPressed?.Invoke(e);
    });

    private void Record(Led led, string state)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _leds[led] = state;
            _ledCalls.Add($"{led}:{state}");
        }
    }

    public void Dispose()
    {
        lock (_lock) _disposed = true;
    }
}
