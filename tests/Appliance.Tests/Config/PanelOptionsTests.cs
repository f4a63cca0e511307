using System.Text.Json;
using Appliance.Config;
using Appliance.Panel;
using Appliance.Tests.Support;

namespace Appliance.Tests.Config;

public sealed class PanelOptionsTests
{
    [Fact]
    public void Default_wiring_is_valid_and_keeps_i2c_free()
    {
        var options = new PanelOptions();
        options.Validate();
        Assert.Equal([("ready LED", 17), ("activity LED", 27), ("approval LED", 22), ("alert LED", 23), ("approve button", 5), ("reject button", 6)],
            options.UsedPins());
        Assert.DoesNotContain(options.UsedPins(), p => p.Pin is 2 or 3);
    }

    [Fact]
    public void Appliance_json_reads_a_partial_panel_options_section_over_the_defaults()
    {
        using var dir = new TempDir();
        var path = dir.Sub("appliance.json");
        File.WriteAllText(path, """
            { "listen": ["127.0.0.1:50051"], "panel": "gpio",
              "panel_options": { "leds": { "alert": 24 }, "buttons": { "reject": null },
                                 "display": { "type": "hd44780", "i2c_address": "0x3F" }, "hold_ms": 1500 } }
            """);
        var options = ApplianceConfig.Load(path).PanelOptions;
        Assert.Equal(24, options.Leds.Alert);
        Assert.Equal(17, options.Leds.Ready);
        Assert.Null(options.Buttons.Reject);
        Assert.Equal(0x3F, options.Display.Address());
        Assert.Equal(TimeSpan.FromMilliseconds(1500), options.Hold);
        Assert.Equal("auto", options.GpioChip);

        // Saved and loaded again, it is the same wiring.
        var config = ApplianceConfig.Load(path);
        config.Save(path);
        Assert.Equal(options, ApplianceConfig.Load(path).PanelOptions);
    }

    [Fact]
    public void A_misspelled_panel_option_is_refused_not_ignored()
    {
        using var dir = new TempDir();
        var path = dir.Sub("appliance.json");
        File.WriteAllText(path, """{ "panel_options": { "leds": { "redy": 17 } } }""");
        Assert.Throws<InvalidDataException>(() => ApplianceConfig.Load(path));
    }

    [Theory]
    [InlineData("""{ "leds": { "ready": 5 } }""", "approve button")]
    [InlineData("""{ "leds": { "ready": 60 } }""", "between 0 and 53")]
    [InlineData("""{ "leds": { "alert": 3 }, "display": { "type": "ssd1306" } }""", "I2C")]
    [InlineData("""{ "display": { "type": "oled" } }""", "none, ssd1306 or hd44780")]
    [InlineData("""{ "display": { "type": "ssd1306", "i2c_address": "0x99" } }""", "7-bit")]
    [InlineData("""{ "display": { "type": "ssd1306", "height": 48 } }""", "64 or 32")]
    [InlineData("""{ "hold_ms": 100 }""", "hold_ms")]
    [InlineData("""{ "gpio_driver": "v3" }""", "auto, v1 or v2")]
    public void Bad_wiring_is_refused_with_what_to_fix(string json, string expected)
    {
        var options = JsonSerializer.Deserialize<PanelOptions>(json)!;
        var e = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Display_addresses_default_by_type()
    {
        Assert.Equal(0x3C, new DisplayOptions { Type = "ssd1306" }.Address());
        Assert.Equal(0x27, new DisplayOptions { Type = "hd44780" }.Address());
        Assert.Equal(0x3D, new DisplayOptions { Type = "ssd1306", I2cAddress = "3d" }.Address());
    }
}
