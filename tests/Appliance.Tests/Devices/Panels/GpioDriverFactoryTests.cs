using System.Device.Gpio;
using Appliance.Panel;
using Appliance.Alerts;
using Appliance.Config;
using Appliance.Devices.Panels;

namespace Appliance.Tests.Devices.Panels;

public sealed class GpioDriverFactoryTests
{
    /// <summary>What libgpiod lists on a machine; opening returns a fake driver and records the choice.</summary>
    private sealed class FakeLibrary(bool v1, bool v2, params GpioChipInfo[] chips) : IGpioLibrary
    {
        public (GpiodVersion, GpioChipInfo)? Opened { get; private set; }
        public bool Has(GpiodVersion version) => version == GpiodVersion.V2 ? v2 : v1;
        public IReadOnlyList<GpioChipInfo> Chips(GpiodVersion version) =>
            Has(version) ? chips : throw new DllNotFoundException("libgpiod not loaded");
        public GpioDriver Open(GpiodVersion version, GpioChipInfo chip)
        {
            Opened = (version, chip);
            return new FakeGpioDriver(chip.NumLines);
        }
    }

    // Raspberry Pi 5 on a 6.6.45+ kernel: the RP1 header chip is gpiochip0; the SoC's own chips follow.
    private static readonly GpioChipInfo[] Pi5 =
    [
        new(0, "gpiochip0", "pinctrl-rp1", 54),
        new(10, "gpiochip10", "gpio-brcmstb@107d508500", 32),
        new(11, "gpiochip11", "gpio-brcmstb@107d508520", 4),
        new(12, "gpiochip12", "gpio-brcmstb@107d517c00", 17),
        new(13, "gpiochip13", "gpio-brcmstb@107d517c20", 6),
    ];

    // Raspberry Pi 5 on an older kernel: the RP1 chip was gpiochip4.
    private static readonly GpioChipInfo[] Pi5OldKernel =
    [
        new(0, "gpiochip0", "gpio-brcmstb@107d508500", 32),
        new(1, "gpiochip1", "gpio-brcmstb@107d508520", 4),
        new(4, "gpiochip4", "pinctrl-rp1", 54),
    ];

    [Fact]
    public void Pi5_uses_the_rp1_chip_through_libgpiod_v2_when_it_is_installed()
    {
        var choice = GpioDriverFactory.Choose(new PanelOptions(), new FakeLibrary(v1: true, v2: true, Pi5));
        Assert.Equal(GpiodVersion.V2, choice.Version);
        Assert.Equal("pinctrl-rp1", choice.Chip.Label);
        Assert.Equal(0, choice.Chip.Id);
    }

    [Fact]
    public void Pi5_on_bookworm_falls_back_to_libgpiod_v1_and_finds_rp1_by_label_not_number()
    {
        var library = new FakeLibrary(v1: true, v2: false, Pi5OldKernel);
        using var gpio = GpioDriverFactory.OpenController(new PanelOptions(), library);
        Assert.Equal((GpiodVersion.V1, Pi5OldKernel[2]), library.Opened);
    }

    [Fact]
    public void Pi4_uses_the_bcm2711_chip()
    {
        var choice = GpioDriverFactory.Choose(new PanelOptions(), new FakeLibrary(true, false,
            new GpioChipInfo(0, "gpiochip0", "pinctrl-bcm2711", 58), new GpioChipInfo(1, "gpiochip1", "raspberrypi-exp-gpio", 8)));
        Assert.Equal("pinctrl-bcm2711", choice.Chip.Label);
    }

    [Theory]
    [InlineData("gpiochip4")]
    [InlineData("4")]
    [InlineData("pinctrl-rp1")]
    public void An_explicit_chip_is_found_by_name_number_or_label(string chip)
    {
        var choice = GpioDriverFactory.Choose(new PanelOptions { GpioChip = chip }, new FakeLibrary(true, false, Pi5OldKernel));
        Assert.Equal(4, choice.Chip.Id);
    }

    [Fact]
    public void An_explicit_driver_version_that_is_not_installed_is_refused()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            GpioDriverFactory.Choose(new PanelOptions { GpioDriver = "v2" }, new FakeLibrary(true, false, Pi5)));
        Assert.Contains("libgpiod.so.3", e.Message);
        Assert.Equal(GpiodVersion.V1, GpioDriverFactory.Choose(new PanelOptions { GpioDriver = "v1" }, new FakeLibrary(true, true, Pi5)).Version);
    }

    [Fact]
    public void A_pc_without_libgpiod_gets_an_instruction_not_a_guess()
    {
        var e = Assert.Throws<InvalidOperationException>(() => GpioDriverFactory.Choose(new PanelOptions(), new FakeLibrary(false, false)));
        Assert.Contains("apt install", e.Message);
        Assert.Contains("--panel console", e.Message);
    }

    [Fact]
    public void No_visible_chips_mentions_device_permissions()
    {
        var e = Assert.Throws<InvalidOperationException>(() => GpioDriverFactory.Choose(new PanelOptions(), new FakeLibrary(true, true)));
        Assert.Contains("/dev/gpiochip", e.Message);
    }

    [Fact]
    public void A_board_without_a_known_header_chip_lists_the_chips_to_choose_from()
    {
        var e = Assert.Throws<InvalidOperationException>(() => GpioDriverFactory.Choose(new PanelOptions(),
            new FakeLibrary(true, false, new GpioChipInfo(0, "gpiochip0", "1c20800.pinctrl", 224))));
        Assert.Contains("gpiochip0 '1c20800.pinctrl'", e.Message);
        Assert.Contains("gpio_chip", e.Message);
        var unknown = Assert.Throws<InvalidOperationException>(() => GpioDriverFactory.Choose(new PanelOptions { GpioChip = "gpiochip9" },
            new FakeLibrary(true, false, Pi5)));
        Assert.Contains("gpiochip9", unknown.Message);
    }

    [Fact]
    public void A_chip_too_small_for_the_wiring_is_refused()
    {
        var options = new PanelOptions { GpioChip = "gpiochip11", Leds = new LedPins { Alert = 26 } };
        var e = Assert.Throws<InvalidOperationException>(() => GpioDriverFactory.Choose(options, new FakeLibrary(true, true, Pi5)));
        Assert.Contains("GPIO 27", e.Message);
    }
}
