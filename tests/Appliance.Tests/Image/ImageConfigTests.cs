using Appliance.Config;
using Appliance.Tests.EndToEnd;
using Appliance.Tests.Support;

namespace Appliance.Tests.Image;

/// <summary>
/// The appliance.json the image puts on the data partition (image/build.sh copies this example,
/// with the board's GPIO chip and the host name put in): the server must accept it as it is.
/// </summary>
public sealed class ImageConfigTests
{
    private static string Example => Path.Combine(StockClientTests.RepoRoot(),
        "image", "rootfs-overlay", "usr", "share", "doc", "appliance", "appliance.json.example");

    [Fact]
    public void Example_config_loads_and_names_the_board_chip()
    {
        var config = ApplianceConfig.Load(Example);
        Assert.Equal(["0.0.0.0:50051"], config.Listen);
        Assert.Equal("https://appliance.local:50051", config.BundleEndpoint());
        Assert.Equal("gpio", config.Panel);
        // ProcSubset=pid hides /proc/cpuinfo, so nothing may be left to board detection.
        Assert.Equal("pinctrl-rp1", config.PanelOptions.GpioChip);
        Assert.Equal("v1", config.PanelOptions.GpioDriver);
    }

    [Theory]
    [InlineData("pinctrl-bcm2711")]
    [InlineData("pinctrl-bcm2835")]
    public void The_other_boards_chips_are_accepted_too(string chip)
    {
        using var dir = new TempDir();
        var path = dir.Sub("appliance.json");
        File.WriteAllText(path, File.ReadAllText(Example).Replace("pinctrl-rp1", chip, StringComparison.Ordinal));
        Assert.Equal(chip, ApplianceConfig.Load(path).PanelOptions.GpioChip);
    }
}
