using System.Device.Gpio;
using Appliance.Panel;
using Appliance.Devices.Panels.Display;
using Microsoft.Extensions.Time.Testing;
using Appliance.Config;
using Appliance.Devices.Panels;
using Appliance.Tests.Support;

namespace Appliance.Tests.Devices.Panels;

/// <summary>A real <see cref="GpioPanel"/> on a fake GPIO chip (and optionally a fake I2C display).</summary>
internal sealed class PanelRig : IDisposable
{
    public PanelRig(PanelOptions? options = null, TimeProvider? time = null, Func<FakeI2cDevice, ITextDisplay>? display = null,
        bool pullUpSupported = true, int displayAddress = 0x27)
    {
        Options = options ?? new PanelOptions();
        Time = time ?? new FakeTimeProvider(DateTimeOffset.Parse("2025-01-01T00:00:00Z"));
        Driver = new FakeGpioDriver(pullUpSupported: pullUpSupported);
        I2c = new FakeI2cDevice(displayAddress);
        Panel = new GpioPanel(new GpioController(Driver), Options, Time, display?.Invoke(I2c));
        Panel.ButtonPressed += e => { lock (Events) Events.Add(e); };
    }

    public PanelOptions Options { get; }
    public TimeProvider Time { get; }
    public FakeTimeProvider FakeTime => (FakeTimeProvider)Time;
    public FakeGpioDriver Driver { get; }
    public FakeI2cDevice I2c { get; }
    public GpioPanel Panel { get; }
    public List<ButtonEvent> Events { get; } = [];

    public IReadOnlyList<ButtonEvent> EventsSoFar() { lock (Events) return Events.ToList(); }

    public bool? LedLit(Led led) => Driver.Output(Options.LedPin(led)) is { } high ? high ^ Options.Leds.ActiveLow : null;

    public void Dispose() => Panel.Dispose();
}
