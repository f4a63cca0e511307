using System.Runtime.CompilerServices;
using Appliance.Panel;
using Appliance.Config;
using Appliance.Devices.Panels;

namespace Appliance.Tests.Devices.Panels;

/// <summary>Runs only where asked (APPLIANCE_HW_TESTS=1, on a Pi with the panel wired); reported as skipped elsewhere.</summary>
public sealed class HardwareFactAttribute : FactAttribute
{
    public HardwareFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (Environment.GetEnvironmentVariable("APPLIANCE_HW_TESTS") != "1")
            Skip = "Hardware test: set APPLIANCE_HW_TESTS=1 on a Raspberry Pi with the panel wired as in docs/panel.md.";
    }
}

public sealed class GpioHardwareTests
{
    [HardwareFact]
    public void The_real_driver_factory_finds_the_header_chip_of_this_pi()
    {
        var choice = GpioDriverFactory.Choose(new PanelOptions(), new LibGpiod());
        Assert.Contains(choice.Chip.Label, GpioDriverFactory.HeaderChipLabels);
    }

    [HardwareFact]
    public async Task The_real_panel_opens_lights_each_led_and_closes()
    {
        using var panel = GpioPanel.Open(new PanelOptions(), TimeProvider.System);
        foreach (var led in Enum.GetValues<Led>())
        {
            panel.SetLed(led, true);
            await Task.Delay(200);
            panel.SetLed(led, false);
        }
        Assert.Equal(LedMode.Off, panel.Leds.Mode(Led.Ready));
    }
}
