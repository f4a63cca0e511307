using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using System.Runtime.InteropServices;
using Appliance.Config;

namespace Appliance.Devices.Panels;

public enum GpiodVersion { V1, V2 }

/// <summary>What the machine's libgpiod offers; the real one is <see cref="LibGpiod"/>, tests pass their own.</summary>
public interface IGpioLibrary
{
    bool Has(GpiodVersion version);
    IReadOnlyList<GpioChipInfo> Chips(GpiodVersion version);
    GpioDriver Open(GpiodVersion version, GpioChipInfo chip);
}

public sealed record GpioDriverChoice(GpiodVersion Version, GpioChipInfo Chip)
{
    public override string ToString() => $"libgpiod {(Version == GpiodVersion.V2 ? "v2" : "v1")}, {Chip.Name} ({Chip.Label}, {Chip.NumLines} lines)";
}

/// <summary>
/// Picks the GPIO driver and chip explicitly instead of letting <c>new GpioController()</c> guess
/// (it reads /proc/cpuinfo, which systemd's ProcSubset=pid hides, and throws on a PC). On a Pi 5
/// the header is the RP1's chip, labelled <c>pinctrl-rp1</c> (54 lines), and its number changed
/// between kernels, so chips are found by label. libgpiod v2 is used where libgpiod.so.3 loads
/// (Debian trixie), v1 otherwise (bookworm's libgpiod 1.6).
/// </summary>
public static class GpioDriverFactory
{
    /// <summary>Header GPIO chips by board, newest first: Pi 5, Pi 4, Pi 3 / Zero 2.</summary>
    public static readonly IReadOnlyList<string> HeaderChipLabels = ["pinctrl-rp1", "pinctrl-bcm2711", "pinctrl-bcm2835"];

    public static GpioDriverChoice Choose(PanelOptions options, IGpioLibrary library)
    {
        var version = ChooseVersion(options.GpioDriver, library);
        var chips = library.Chips(version);
        if (chips.Count == 0)
            throw new InvalidOperationException(
                "No GPIO chips are visible (/dev/gpiochip*). On a Raspberry Pi, the service user needs read-write access to /dev/gpiochip* (group gpio).");
        var chip = FindChip(options.GpioChip, chips);
        var highest = options.UsedPins().Max(p => p.Pin);
        if (highest >= chip.NumLines)
            throw new InvalidOperationException($"{chip.Name} ({chip.Label}) has {chip.NumLines} lines, but the panel wiring uses GPIO {highest}; check panel_options.gpio_chip.");
        return new GpioDriverChoice(version, chip);
    }

    /// <summary>Opens the chosen driver; the controller owns it.</summary>
    public static GpioController OpenController(PanelOptions options, IGpioLibrary? library = null)
    {
        library ??= new LibGpiod();
        var choice = Choose(options, library);
        return new GpioController(library.Open(choice.Version, choice.Chip));
    }

    private static GpiodVersion ChooseVersion(string requested, IGpioLibrary library)
    {
        const string install = "install libgpiod (Debian bookworm: apt install libgpiod2; trixie: apt install libgpiod3)";
        switch (requested.ToLowerInvariant())
        {
            case "v2":
                return library.Has(GpiodVersion.V2) ? GpiodVersion.V2
                    : throw new InvalidOperationException($"panel_options.gpio_driver is v2 but libgpiod.so.3 is not installed; {install}, or set it to auto.");
            case "v1":
                return library.Has(GpiodVersion.V1) ? GpiodVersion.V1
                    : throw new InvalidOperationException($"panel_options.gpio_driver is v1 but libgpiod.so.2 is not installed; {install}, or set it to auto.");
            default:
                if (library.Has(GpiodVersion.V2)) return GpiodVersion.V2;
                if (library.Has(GpiodVersion.V1)) return GpiodVersion.V1;
                throw new InvalidOperationException($"libgpiod is not installed, so the GPIO panel cannot run; {install}, or use --panel console.");
        }
    }

    private static GpioChipInfo FindChip(string wanted, IReadOnlyList<GpioChipInfo> chips)
    {
        var list = string.Join(", ", chips.Select(c => $"{c.Name} '{c.Label}' ({c.NumLines} lines)"));
        if (string.Equals(wanted, "auto", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var label in HeaderChipLabels)
                if (chips.FirstOrDefault(c => c.Label == label) is { } header) return header;
            throw new InvalidOperationException(
                $"No Raspberry Pi header GPIO chip ({string.Join(", ", HeaderChipLabels)}) found; chips here: {list}. Set panel_options.gpio_chip to one of them.");
        }
        var match = chips.FirstOrDefault(c => c.Label == wanted || c.Name == wanted || (int.TryParse(wanted, out var id) && c.Id == id));
        return match ?? throw new InvalidOperationException($"panel_options.gpio_chip '{wanted}' is not among the GPIO chips here: {list}.");
    }
}

/// <summary>The machine's libgpiod, as System.Device.Gpio loads it.</summary>
public sealed class LibGpiod : IGpioLibrary
{
    public bool Has(GpiodVersion version) => version == GpiodVersion.V2
        ? CanLoad("libgpiod.so.3")
        : CanLoad("libgpiod.so.2") || CanLoad("libgpiod.so.1");

    public IReadOnlyList<GpioChipInfo> Chips(GpiodVersion version) => version == GpiodVersion.V2
        ? LibGpiodV2Driver.GetAvailableChips().ToList()
        : LibGpiodDriver.GetAvailableChips().ToList();

    public GpioDriver Open(GpiodVersion version, GpioChipInfo chip) => version == GpiodVersion.V2
        ? new LibGpiodV2Driver(chip.Id)
        : new LibGpiodDriver(chip.Id);

    private static bool CanLoad(string name)
    {
        if (!NativeLibrary.TryLoad(name, out var handle)) return false;
        NativeLibrary.Free(handle);
        return true;
    }
}
