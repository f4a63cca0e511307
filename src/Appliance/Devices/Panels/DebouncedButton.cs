using System.Device.Gpio;
using Iot.Device.Button;

namespace Appliance.Devices.Panels;

/// <summary>
/// A push button on a GPIO line that closes to ground, with Iot.Device's <see cref="ButtonBase"/>
/// doing press, release and long-press (Holding) timing. Debouncing is done here by settling:
/// every edge restarts a short timer, and only a level that stays put that long counts.
/// <see cref="GpioButton"/>'s own debounce only ignores presses just after a release, so contact
/// bounce on the way down reads as press-release-press: an early Press, and a long press whose
/// hold timer is cancelled by the bounce. Levels come from the edge types (falling = pressed). For an approve button whose long press means "pause",
/// that would turn "pause" into "approve".
/// </summary>
public sealed class DebouncedButton : ButtonBase
{
    private readonly Lock _lock = new();
    private readonly GpioController _gpio;
    private readonly int _pin;
    private readonly TimeSpan _debounce;
    private readonly ITimer _settle;
    private readonly TimeProvider _time;
    private bool _edgeLevel;
    private long _edgeAt;
    private bool _pressed;
    private bool _pressReported;
    private bool _disposed;

    public DebouncedButton(GpioController gpio, int pin, bool externalPullUp, TimeSpan hold, TimeSpan debounce, TimeProvider time)
        : base(TimeSpan.FromSeconds(1.5), hold, TimeSpan.Zero)
    {
        _gpio = gpio;
        _pin = pin;
        _debounce = debounce;
        var mode = externalPullUp ? PinMode.Input : PinMode.InputPullUp;
        if (!gpio.IsPinModeSupported(pin, mode))
            throw new InvalidOperationException(externalPullUp
                ? $"GPIO {pin} cannot be an input on this board; pick another pin in panel_options.buttons."
                : $"GPIO {pin} has no internal pull-up with this GPIO driver; fit a 10 kΩ pull-up to 3V3 and set panel_options.buttons.external_pull_up to true.");
        _time = time;
        _settle = time.CreateTimer(_ => Settle(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        gpio.OpenPin(pin, mode);
        // A button held down at start-up does not count until it is released and pressed again.
        _pressed = _edgeLevel = gpio.Read(pin) == PinValue.Low;
        _edgeAt = time.GetTimestamp();
        gpio.RegisterCallbackForPinValueChangedEvent(pin, PinEventTypes.Falling | PinEventTypes.Rising, OnEdge);
    }

    public int Pin => _pin;

    private void OnEdge(object sender, PinValueChangedEventArgs e)
    {
        lock (_lock)
        {
            if (_disposed) return;
            var now = _time.GetTimestamp();
            // If the timer ran late, the level before this edge may already have been stable long
            // enough: count it now rather than lose a short press.
            if (_edgeLevel != _pressed && _time.GetElapsedTime(_edgeAt, now) >= _debounce)
                Commit(_edgeLevel);
            _edgeLevel = e.ChangeType == PinEventTypes.Falling; // the button closes the line to ground
            _edgeAt = now;
            if (_debounce <= TimeSpan.Zero) Commit(_edgeLevel);
            else _settle.Change(_debounce, Timeout.InfiniteTimeSpan);
        }
    }

    private void Settle()
    {
        lock (_lock)
        {
            if (_disposed) return;
            var stable = _time.GetElapsedTime(_edgeAt);
            if (stable < _debounce)
            {
                _settle.Change(_debounce - stable, Timeout.InfiniteTimeSpan); // an edge arrived meanwhile
                return;
            }
            Commit(_edgeLevel);
        }
    }

    private void Commit(bool pressed)
    {
        if (pressed == _pressed) return;
        _pressed = pressed;
        if (pressed)
        {
            _pressReported = true;
            HandleButtonPressed();
        }
        else if (_pressReported)
        {
            // Only the release of a press we saw: not one held since start-up.
            _pressReported = false;
            HandleButtonReleased();
        }
    }

    protected override void Dispose(bool disposing)
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
        }
        if (disposing)
        {
            _settle.Dispose();
            _gpio.UnregisterCallbackForPinValueChangedEvent(_pin, OnEdge);
            _gpio.ClosePin(_pin);
        }
        base.Dispose(disposing);
    }
}
