using System.Device.Gpio;
using System.Diagnostics;

namespace Appliance.Tests.Devices.Panels;

/// <summary>One level the panel wrote to an output line, and when (Stopwatch ticks).</summary>
public sealed record PinWrite(int Pin, bool High, long Timestamp);

/// <summary>
/// A GPIO chip for tests, behaving like libgpiod's: lines must be opened and given a mode, outputs
/// cannot be read back as inputs nor inputs written, a pulled-up input reads high until something
/// pulls it low, and edge callbacks run on the thread that changes the level (the driver's event
/// thread on a Pi). Tests press buttons with <see cref="SetInput"/> or <see cref="Bounce"/>.
/// </summary>
public sealed class FakeGpioDriver(int lines = 54, bool pullUpSupported = true) : GpioDriver
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, PinMode> _modes = [];
    private readonly Dictionary<int, bool> _outputs = [];
    private readonly Dictionary<int, bool> _externalLevels = [];
    private readonly Dictionary<int, List<(PinEventTypes Types, PinChangeEventHandler Handler)>> _callbacks = [];
    private readonly List<PinWrite> _writes = [];

    public bool Disposed { get; private set; }

    public IReadOnlyList<PinWrite> Writes { get { lock (_lock) return _writes.ToList(); } }

    public IReadOnlyList<PinWrite> WritesTo(int pin) { lock (_lock) return _writes.Where(w => w.Pin == pin).ToList(); }

    public bool? Output(int pin) { lock (_lock) return _outputs.TryGetValue(pin, out var v) ? v : null; }

    public PinMode? ModeOf(int pin) { lock (_lock) return _modes.TryGetValue(pin, out var m) ? m : null; }

    public bool IsOpen(int pin) { lock (_lock) return _modes.ContainsKey(pin); }

    public int CallbackCount(int pin) { lock (_lock) return _callbacks.TryGetValue(pin, out var l) ? l.Count : 0; }

    /// <summary>Drives an input line from outside (a button to ground: false). Raises the edge if the level changes.</summary>
    public void SetInput(int pin, bool high)
    {
        bool before;
        List<(PinEventTypes Types, PinChangeEventHandler Handler)> handlers;
        lock (_lock)
        {
            before = LevelOf(pin);
            _externalLevels[pin] = high;
            if (before == high) return;
            handlers = _callbacks.TryGetValue(pin, out var list) ? list.ToList() : [];
        }
        var type = high ? PinEventTypes.Rising : PinEventTypes.Falling;
        foreach (var (types, handler) in handlers)
            if ((types & type) != 0) handler(this, new PinValueChangedEventArgs(type, pin));
    }

    /// <summary>Lets go of an input line: it returns to its pull level.</summary>
    public void Release(int pin) => SetInput(pin, true);

    /// <summary>
    /// A mechanical contact settling at <paramref name="finalHigh"/>: <paramref name="edges"/> alternating
    /// edges about <paramref name="gap"/> apart (a tactile switch bounces for 1-5 ms).
    /// </summary>
    public void Bounce(int pin, bool finalHigh, int edges, TimeSpan gap)
    {
        var level = !finalHigh;
        for (var i = 0; i < edges - 1; i++)
        {
            SetInput(pin, level);
            level = !level;
            SpinFor(gap);
        }
        SetInput(pin, finalHigh);
    }

    private static void SpinFor(TimeSpan gap)
    {
        var until = Stopwatch.GetTimestamp() + (long)(gap.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until) Thread.SpinWait(20);
    }

    private bool LevelOf(int pin)
    {
        if (_externalLevels.TryGetValue(pin, out var external)) return external;
        return _modes.TryGetValue(pin, out var mode) && mode == PinMode.InputPullUp;
    }

    protected override int PinCount => lines;

    protected override void OpenPin(int pinNumber)
    {
        lock (_lock)
        {
            Check(pinNumber);
            if (_modes.ContainsKey(pinNumber)) throw new IOException($"GPIO line {pinNumber} is busy (already requested)");
            _modes[pinNumber] = PinMode.Input;
        }
    }

    protected override void ClosePin(int pinNumber)
    {
        lock (_lock)
        {
            _modes.Remove(pinNumber);
            _outputs.Remove(pinNumber);
            _callbacks.Remove(pinNumber);
        }
    }

    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        lock (_lock)
        {
            RequireOpen(pinNumber);
            if (!IsPinModeSupported(pinNumber, mode)) throw new InvalidOperationException($"GPIO line {pinNumber} does not support {mode}");
            _modes[pinNumber] = mode;
            if (mode == PinMode.Output) _outputs.TryAdd(pinNumber, false);
        }
    }

    protected override PinMode GetPinMode(int pinNumber) { lock (_lock) { RequireOpen(pinNumber); return _modes[pinNumber]; } }

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) =>
        pinNumber >= 0 && pinNumber < lines && (pullUpSupported || mode is PinMode.Input or PinMode.Output);

    protected override PinValue Read(int pinNumber)
    {
        lock (_lock)
        {
            RequireOpen(pinNumber);
            return (_modes[pinNumber] == PinMode.Output ? _outputs[pinNumber] : LevelOf(pinNumber)) ? PinValue.High : PinValue.Low;
        }
    }

    protected override void Write(int pinNumber, PinValue value)
    {
        lock (_lock)
        {
            RequireOpen(pinNumber);
            if (_modes[pinNumber] != PinMode.Output) throw new InvalidOperationException($"GPIO line {pinNumber} is an input; it cannot be written");
            _outputs[pinNumber] = value == PinValue.High;
            _writes.Add(new PinWrite(pinNumber, value == PinValue.High, Stopwatch.GetTimestamp()));
        }
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken)
    {
        var seen = new ManualResetEventSlim();
        PinEventTypes got = PinEventTypes.None;
        PinChangeEventHandler handler = (_, e) => { got = e.ChangeType; seen.Set(); };
        AddCallbackForPinValueChangedEvent(pinNumber, eventTypes, handler);
        try
        {
            seen.Wait(cancellationToken);
            return new WaitForEventResult { EventTypes = got, TimedOut = false };
        }
        catch (OperationCanceledException) { return new WaitForEventResult { EventTypes = PinEventTypes.None, TimedOut = true }; }
        finally { RemoveCallbackForPinValueChangedEvent(pinNumber, handler); }
    }

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        lock (_lock)
        {
            RequireOpen(pinNumber);
            if (!_callbacks.TryGetValue(pinNumber, out var list)) _callbacks[pinNumber] = list = [];
            list.Add((eventTypes, callback));
        }
    }

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        lock (_lock)
            if (_callbacks.TryGetValue(pinNumber, out var list)) list.RemoveAll(c => c.Handler == callback);
    }

    public override GpioChipInfo GetChipInfo() => new(0, "gpiochip0", "fake-rp1", lines);

    private void Check(int pin)
    {
        if (pin < 0 || pin >= lines) throw new ArgumentOutOfRangeException(nameof(pin), $"the chip has {lines} lines");
    }

    private void RequireOpen(int pin)
    {
        Check(pin);
        if (!_modes.ContainsKey(pin)) throw new InvalidOperationException($"GPIO line {pin} is not open");
    }

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }
}
