using System.Globalization;
using System.Text.Json.Serialization;
using Appliance.Alerts;
using Appliance.Panel;

namespace Appliance.Config;

/// <summary>
/// The GPIO panel's wiring, from appliance.json's <c>panel_options</c>. Pin numbers are BCM GPIO
/// line numbers (what libgpiod calls offsets), not physical header pins. The defaults are the
/// documented wiring (docs/panel.md, docs/wiring.svg); every field may be left out.
/// </summary>
public sealed record PanelOptions
{
    /// <summary>"auto" (the Pi's header chip: pinctrl-rp1 on a Pi 5), a chip label, "gpiochipN" or a number.</summary>
    [JsonPropertyName("gpio_chip")] public string GpioChip { get; init; } = "auto";

    /// <summary>"auto" (libgpiod v2 where libgpiod.so.3 loads, else v1), "v1" or "v2".</summary>
    [JsonPropertyName("gpio_driver")] public string GpioDriver { get; init; } = "auto";

    [JsonPropertyName("leds")] public LedPins Leds { get; init; } = new();

    [JsonPropertyName("buttons")] public ButtonPins Buttons { get; init; } = new();

    [JsonPropertyName("display")] public DisplayOptions Display { get; init; } = new();

    /// <summary>A long press on approve (pause/resume) lasts at least this long.</summary>
    [JsonPropertyName("hold_ms")] public int HoldMilliseconds { get; init; } = 2000;

    /// <summary>A button's level must stay unchanged this long before it counts (contact bounce).</summary>
    [JsonPropertyName("debounce_ms")] public int DebounceMilliseconds { get; init; } = 30;

    /// <summary>Half period of a blinking LED.</summary>
    [JsonPropertyName("blink_ms")] public int BlinkMilliseconds { get; init; } = 400;

    /// <summary>How long the activity LED flashes per signature.</summary>
    [JsonPropertyName("pulse_ms")] public int PulseMilliseconds { get; init; } = 60;

    /// <summary>How long each page of display text stays before the next (approval details cycle).</summary>
    [JsonPropertyName("page_ms")] public int PageMilliseconds { get; init; } = 3000;

    // Derived from the *_ms keys, so never written: a written copy would look editable and do nothing.
    [JsonIgnore] public TimeSpan Hold => TimeSpan.FromMilliseconds(HoldMilliseconds);
    [JsonIgnore] public TimeSpan Debounce => TimeSpan.FromMilliseconds(DebounceMilliseconds);
    [JsonIgnore] public TimeSpan BlinkHalfPeriod => TimeSpan.FromMilliseconds(BlinkMilliseconds);
    [JsonIgnore] public TimeSpan PulseLength => TimeSpan.FromMilliseconds(PulseMilliseconds);
    [JsonIgnore] public TimeSpan PageInterval => TimeSpan.FromMilliseconds(PageMilliseconds);

    /// <summary>Every GPIO line this wiring uses, by what it does (for checks and <c>panel test</c>).</summary>
    public IEnumerable<(string Use, int Pin)> UsedPins()
    {
        yield return ("ready LED", Leds.Ready);
        yield return ("activity LED", Leds.Activity);
        yield return ("approval LED", Leds.Approval);
        yield return ("alert LED", Leds.Alert);
        yield return ("approve button", Buttons.Approve);
        if (Buttons.Reject is { } reject) yield return ("reject button", reject);
    }

    public int LedPin(Led led) => led switch
    {
        Led.Ready => Leds.Ready,
        Led.Activity => Leds.Activity,
        Led.Approval => Leds.Approval,
        Led.Alert => Leds.Alert,
        _ => throw new ArgumentOutOfRangeException(nameof(led)),
    };

    public void Validate()
    {
        const string where = "appliance.json: panel_options";
        if (!string.Equals(GpioDriver, "auto", StringComparison.OrdinalIgnoreCase) && GpioDriver is not ("v1" or "v2"))
            throw new ArgumentException($"{where}.gpio_driver '{GpioDriver}' is not known; use auto, v1 or v2.");
        if (string.IsNullOrWhiteSpace(GpioChip))
            throw new ArgumentException($"{where}.gpio_chip is empty; use auto, a chip label such as pinctrl-rp1, or gpiochipN.");
        var seen = new Dictionary<int, string>();
        foreach (var (use, pin) in UsedPins())
        {
            if (pin is < 0 or > 53)
                throw new ArgumentException($"{where}: the {use} is on GPIO {pin}; use a BCM GPIO number between 0 and 53.");
            if (Display.Type != "none" && pin is 2 or 3)
                throw new ArgumentException($"{where}: the {use} is on GPIO {pin}, which the display's I2C bus (SDA GPIO 2, SCL GPIO 3) needs; pick another pin.");
            if (!seen.TryAdd(pin, use))
                throw new ArgumentException($"{where}: the {use} and the {seen[pin]} are both on GPIO {pin}; give each its own pin.");
        }
        if (HoldMilliseconds is < 300 or > 10_000)
            throw new ArgumentException($"{where}.hold_ms must be between 300 and 10000.");
        if (DebounceMilliseconds is < 0 or > 200 || DebounceMilliseconds * 3 >= HoldMilliseconds)
            throw new ArgumentException($"{where}.debounce_ms must be between 0 and 200 and well below hold_ms.");
        if (BlinkMilliseconds is < 50 or > 5000 || PulseMilliseconds is < 10 or > 1000 || PageMilliseconds is < 500 or > 30_000)
            throw new ArgumentException($"{where}: blink_ms (50-5000), pulse_ms (10-1000) or page_ms (500-30000) is out of range.");
        Display.Validate();
    }
}

/// <summary>Output lines for the four LEDs; each LED has its own series resistor to ground.</summary>
public sealed record LedPins
{
    [JsonPropertyName("ready")] public int Ready { get; init; } = 17;
    [JsonPropertyName("activity")] public int Activity { get; init; } = 27;
    [JsonPropertyName("approval")] public int Approval { get; init; } = 22;
    [JsonPropertyName("alert")] public int Alert { get; init; } = 23;

    /// <summary>True when an LED lights with the line low (wired from 3V3 to the pin).</summary>
    [JsonPropertyName("active_low")] public bool ActiveLow { get; init; }
}

/// <summary>Input lines for the buttons; each button closes its line to ground.</summary>
public sealed record ButtonPins
{
    [JsonPropertyName("approve")] public int Approve { get; init; } = 5;

    /// <summary>Null: no reject button (an approval then times out unless approved).</summary>
    [JsonPropertyName("reject")] public int? Reject { get; init; } = 6;

    /// <summary>True when the board has its own pull-up resistors; false enables the Pi's internal pull-ups.</summary>
    [JsonPropertyName("external_pull_up")] public bool ExternalPullUp { get; init; }
}

/// <summary>The optional display on I2C bus 1 (SDA GPIO 2, SCL GPIO 3).</summary>
public sealed record DisplayOptions
{
    /// <summary>"none", "ssd1306" (OLED, 128x64 or 128x32) or "hd44780" (16x2 LCD behind a PCF8574 backpack).</summary>
    [JsonPropertyName("type")] public string Type { get; init; } = "none";

    [JsonPropertyName("i2c_bus")] public int I2cBus { get; init; } = 1;

    /// <summary>"0x3C" style; null takes the usual address of the type (SSD1306 0x3C, PCF8574 0x27).</summary>
    [JsonPropertyName("i2c_address")] public string? I2cAddress { get; init; }

    /// <summary>SSD1306 only: 64 or 32 pixel rows.</summary>
    [JsonPropertyName("height")] public int Height { get; init; } = 64;

    public const int Ssd1306DefaultAddress = 0x3C;
    public const int Pcf8574DefaultAddress = 0x27;

    public int Address()
    {
        if (I2cAddress is null)
            return Type == "hd44780" ? Pcf8574DefaultAddress : Ssd1306DefaultAddress;
        var text = I2cAddress.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? I2cAddress[2..] : I2cAddress;
        if (!int.TryParse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var address) || address is < 0x03 or > 0x77)
            throw new ArgumentException($"appliance.json: panel_options.display.i2c_address '{I2cAddress}' is not a 7-bit I2C address; use e.g. \"0x3C\" (i2cdetect -y 1 lists what is connected).");
        return address;
    }

    public void Validate()
    {
        if (Type is not ("none" or "ssd1306" or "hd44780"))
            throw new ArgumentException($"appliance.json: panel_options.display.type '{Type}' is not known; use none, ssd1306 or hd44780.");
        if (I2cBus is < 0 or > 20)
            throw new ArgumentException("appliance.json: panel_options.display.i2c_bus must be a bus number such as 1 (/dev/i2c-1).");
        if (Type == "ssd1306" && Height is not (32 or 64))
            throw new ArgumentException("appliance.json: panel_options.display.height must be 64 or 32 for an SSD1306.");
        Address();
    }
}
