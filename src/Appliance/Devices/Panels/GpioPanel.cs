using System.Device.Gpio;
using System.Device.I2c;
using Appliance.Devices.Panels.Display;
using Iot.Device.Button;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Appliance.Config;
using Appliance.Panel;

namespace Appliance.Devices.Panels;

/// <summary>
/// The physical panel on the Pi: four LEDs on output lines, the approve (and optional reject)
/// button on input lines with pull-ups, and an optional I2C display. The GPIO controller is
/// passed in (see <see cref="GpioDriverFactory"/>), so tests drive this same code through a fake
/// driver. Owns the controller and the display.
/// </summary>
public sealed class GpioPanel : IPanel
{
    private readonly GpioController _gpio;
    private readonly PanelOptions _options;
    private readonly ILogger _logger;
    private readonly LedBoard _leds;
    private readonly List<(DebouncedButton Button, PanelButton Name)> _buttons = [];
    private readonly DisplayPager? _display;
    private int _holdInProgress;
    private volatile bool _disposed;

    public GpioPanel(GpioController gpio, PanelOptions options, TimeProvider time, ITextDisplay? display = null, ILogger? logger = null)
    {
        options.Validate();
        _gpio = gpio;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        try
        {
            foreach (var led in Enum.GetValues<Led>())
                gpio.OpenPin(options.LedPin(led), PinMode.Output, Level(false));
            _leds = new LedBoard(time, options.BlinkHalfPeriod, options.PulseLength, (led, on) => gpio.Write(options.LedPin(led), Level(on)));
            AddButton(PanelButton.Approve, options.Buttons.Approve, holdMeansPause: true, time);
            if (options.Buttons.Reject is { } reject)
                AddButton(PanelButton.Reject, reject, holdMeansPause: false, time);
            if (display is not null)
                _display = new DisplayPager(display, time, options.PageInterval, _logger);
        }
        catch
        {
            foreach (var (button, _) in _buttons) button.Dispose();
            throw;
        }
    }

    /// <summary>Opens the real hardware: the GPIO chip <see cref="GpioDriverFactory"/> picks, and the configured display.</summary>
    public static GpioPanel Open(PanelOptions options, TimeProvider time, ILogger? logger = null)
    {
        options.Validate();
        var gpio = GpioDriverFactory.OpenController(options);
        ITextDisplay? display = null;
        try
        {
            display = OpenDisplay(options.Display);
            return new GpioPanel(gpio, options, time, display, logger);
        }
        catch
        {
            display?.Dispose();
            gpio.Dispose();
            throw;
        }
    }

    public static ITextDisplay? OpenDisplay(DisplayOptions display)
    {
        if (display.Type == "none") return null;
        I2cDevice device;
        try
        {
            device = I2cDevice.Create(new I2cConnectionSettings(display.I2cBus, display.Address()));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            throw new InvalidOperationException(
                $"Cannot open I2C bus {display.I2cBus} for the {display.Type} display ({e.Message}); enable I2C (raspi-config, or dtparam=i2c_arm=on) and give the service user access to /dev/i2c-{display.I2cBus}.", e);
        }
        try
        {
            return display.Type == "hd44780" ? new Hd44780TextDisplay(device) : new Ssd1306TextDisplay(device, display.Height);
        }
        catch (IOException e)
        {
            device.Dispose();
            throw new InvalidOperationException(
                $"The {display.Type} display does not answer at I2C address 0x{display.Address():X2} on bus {display.I2cBus} ({e.Message}); check its wiring, or find its address with 'i2cdetect -y {display.I2cBus}'.", e);
        }
    }

    public event Action<ButtonEvent>? ButtonPressed;

    /// <summary>The LED modes and pulse counts (what the operator sees, without the blink phase).</summary>
    public LedBoard Leds => _leds;

    /// <summary>Null without a display.</summary>
    public DisplayPager? Display => _display;

    public void SetLed(Led led, bool on) => _leds.Set(led, on);

    public void BlinkLed(Led led) => _leds.Blink(led);

    public void Pulse(Led led) => _leds.Pulse(led);

    public void ShowText(IReadOnlyList<string> lines) => _display?.Show(lines);

    private PinValue Level(bool on) => on ^ _options.Leds.ActiveLow ? PinValue.High : PinValue.Low;

    private void AddButton(PanelButton name, int pin, bool holdMeansPause, TimeProvider time)
    {
        var button = new DebouncedButton(_gpio, pin, _options.Buttons.ExternalPullUp, _options.Hold, _options.Debounce, time)
        {
            IsHoldingEnabled = holdMeansPause,
        };
        button.ButtonDown += (_, _) => { if (holdMeansPause) Interlocked.Exchange(ref _holdInProgress, 0); };
        button.Holding += (_, e) =>
        {
            if (e.HoldingState != ButtonHoldingState.Started) return;
            Interlocked.Exchange(ref _holdInProgress, 1);
            Raise(new ButtonEvent(name, PressKind.Hold));
        };
        button.Press += (_, _) =>
        {
            // ButtonBase reports Press on every release, also after a long press: that release
            // ends the hold, it is not an approval.
            if (holdMeansPause && Interlocked.Exchange(ref _holdInProgress, 0) == 1) return;
            Raise(new ButtonEvent(name, PressKind.Press));
        };
        _buttons.Add((button, name));
    }

    private void Raise(ButtonEvent e)
    {
        if (_disposed) return;
        _logger.LogInformation("Panel button: {Button} {Kind}", e.Button, e.Kind);
        try { ButtonPressed?.Invoke(e); }
        catch (Exception ex)
        {
            // Runs on a timer thread: an exception here would end the process.
            _logger.LogError(ex, "Panel button handler failed for {Button} {Kind}", e.Button, e.Kind);
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var (button, _) in _buttons) button.Dispose();
        _leds.Dispose(); // all LEDs off
        _display?.Dispose();
        foreach (var led in Enum.GetValues<Led>())
            if (_gpio.IsPinOpen(_options.LedPin(led))) _gpio.ClosePin(_options.LedPin(led));
        _gpio.Dispose();
    }
}
