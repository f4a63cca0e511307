using System.Text;
using Appliance.Panel;

namespace Appliance.Devices.Panels;

/// <summary>
/// The panel for <c>demo</c>: LEDs and display text as lines in the terminal (one line per LED
/// change, one block per new text; signature flashes are only counted), and, when stdin is a
/// terminal, keys for the buttons: <c>a</c> approve, <c>r</c> reject, <c>h</c> hold (pause/resume).
/// </summary>
public sealed class ConsolePanel : IPanel
{
    private readonly TextWriter _output;
    private readonly LedBoard _leds;
    private readonly Lock _lock = new();
    private readonly bool _hasKeys;
    private readonly ITimer _printTimer;
    private IReadOnlyList<string> _text = [];
    private string? _lastLedLine;
    private volatile bool _disposed;

    public ConsolePanel(TextWriter output, TimeProvider time, IKeySource? keys = null)
    {
        _output = output;
        _leds = new LedBoard(time, TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(60), write: null);
        // Several LEDs change together (ready off, alert on): print one line once they settle.
        _printTimer = time.CreateTimer(_ => PrintLeds(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _leds.ModeChanged += () => _printTimer.Change(TimeSpan.FromMilliseconds(30), Timeout.InfiniteTimeSpan);
        _hasKeys = keys is not null;
        if (keys is not null)
            new Thread(() => ReadKeys(keys)) { IsBackground = true, Name = "console panel keys" }.Start();
    }

    public event Action<ButtonEvent>? ButtonPressed;

    public PanelSnapshot Snapshot() { lock (_lock) return PanelSnapshot.Of(_leds, _text); }

    public void SetLed(Led led, bool on) => _leds.Set(led, on);

    public void BlinkLed(Led led) => _leds.Blink(led);

    public void Pulse(Led led) => _leds.Pulse(led);

    public void ShowText(IReadOnlyList<string> lines)
    {
        lock (_lock)
        {
            if (_disposed || _text.SequenceEqual(lines)) return;
            PrintLeds(); // LED changes that came with this text go first
            _text = lines.ToList();
            var block = new StringBuilder();
            for (var i = 0; i < _text.Count; i++)
                block.Append(i == 0 ? "[display] " : "          ").AppendLine(_text[i]);
            if (_text.Count == 0) block.AppendLine("[display]");
            if (_hasKeys && _text.Count > 0 && _text[0].StartsWith("APPROVE?", StringComparison.Ordinal))
                block.AppendLine("          keys: a approve, r reject");
            _output.Write(block.ToString());
            _output.Flush();
        }
    }

    private void PrintLeds()
    {
        var modes = _leds.Modes();
        var line = $"[panel] ready {Mark(modes[Led.Ready])} green | activity {Mark(modes[Led.Activity])} | " +
                   $"approval {Mark(modes[Led.Approval])} amber | alert {Mark(modes[Led.Alert])} red";
        lock (_lock)
        {
            if (_disposed || line == _lastLedLine) return;
            _lastLedLine = line;
            _output.WriteLine(line);
            _output.Flush();
        }
    }

    private static string Mark(LedMode mode) => mode switch
    {
        LedMode.On => "●",
        LedMode.Blink => "◐ blinking",
        _ => "○",
    };

    private void ReadKeys(IKeySource keys)
    {
        while (!_disposed && keys.Next() is { } key)
        {
            ButtonEvent? e = char.ToLowerInvariant(key) switch
            {
                'a' => new ButtonEvent(PanelButton.Approve, PressKind.Press),
                'r' => new ButtonEvent(PanelButton.Reject, PressKind.Press),
                'h' => new ButtonEvent(PanelButton.Approve, PressKind.Hold),
                _ => null,
            };
            if (e is null || _disposed) continue;
            lock (_lock) _output.WriteLine($"[key] {e.Button.ToString().ToLowerInvariant()} {(e.Kind == PressKind.Hold ? "hold" : "press")}");
            try { ButtonPressed?.Invoke(e); }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
            {
                lock (_lock) _output.WriteLine($"[key] not handled: {ex.Message}");
            }
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _printTimer.Dispose();
        _leds.Dispose();
    }
}

/// <summary>Where the console panel's keys come from; <see cref="Next"/> blocks, null at end of input.</summary>
public interface IKeySource
{
    char? Next();
}

/// <summary>Single key presses from the terminal, without echo or Enter.</summary>
public sealed class TerminalKeys : IKeySource
{
    public char? Next()
    {
        try { return Console.ReadKey(intercept: true).KeyChar; }
        catch (InvalidOperationException) { return null; } // stdin is not a terminal after all
    }
}

/// <summary>Keys from a text stream (tests, or a pipe): every character is a key.</summary>
public sealed class ReaderKeys(TextReader reader) : IKeySource
{
    public char? Next() => reader.Read() is var c and >= 0 ? (char)c : null;
}
