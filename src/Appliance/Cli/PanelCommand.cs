using System.CommandLine;
using Appliance.Config;
using Appliance.Panel;
using Appliance.Devices.Panels;

namespace Appliance.Cli;

/// <summary><c>appliance panel test</c>: checks the LEDs, display and buttons of a freshly wired panel.</summary>
internal static class PanelCommand
{
    public static Command Build(CliIo io, TimeProvider time)
    {
        var dataDir = CommonOptions.DataDir();
        var panel = new Option<string>("--panel") { Description = "gpio (default) or console (try it without hardware)", DefaultValueFactory = _ => "gpio" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to report button presses (0: until Ctrl+C)", DefaultValueFactory = _ => 60 };
        var stepMs = new Option<int>("--step-ms") { Description = "How long each LED step lasts", DefaultValueFactory = _ => 1000 };
        var test = new Command("test", "Walk through every LED, show text on the display, report button presses") { dataDir, panel, timeout, stepMs };
        CommandAction.Set(test, io, async (parse, cancellationToken) =>
        {
            var name = parse.GetValue(panel)!;
            if (name is not ("gpio" or "console"))
                throw new ArgumentException($"--panel {name} cannot be tested; use gpio or console.");
            if (parse.GetValue(timeout) < 0 || parse.GetValue(stepMs) is < 10 or > 10_000)
                throw new ArgumentException("--timeout must be 0 or more seconds and --step-ms between 10 and 10000.");
            var data = new DataDir(parse.GetValue(dataDir)!);
            ApplianceConfig config;
            if (File.Exists(data.ConfigFile))
            {
                config = ApplianceConfig.Load(data.ConfigFile);
                io.Out.WriteLine($"wiring from {data.ConfigFile}");
            }
            else
            {
                config = new ApplianceConfig();
                io.Out.WriteLine($"no {data.ConfigFile}: using the default wiring (docs/panel.md)");
            }
            var options = config.PanelOptions;
            if (name == "gpio")
            {
                io.Out.WriteLine($"LEDs: ready GPIO {options.Leds.Ready}, activity GPIO {options.Leds.Activity}, approval GPIO {options.Leds.Approval}, alert GPIO {options.Leds.Alert}");
                io.Out.WriteLine($"buttons: approve GPIO {options.Buttons.Approve}, reject {(options.Buttons.Reject is { } r ? $"GPIO {r}" : "none")}; display: {options.Display.Type}");
            }
            using var device = name == "gpio"
                ? GpioPanel.Open(options, time)
                : (IPanel)new ConsolePanel(io.Out, time, io.InputIsTerminal ? new TerminalKeys() : null);
            var wait = parse.GetValue(timeout) == 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(parse.GetValue(timeout));
            var seen = await new PanelSelfTest(device, io.Out, time, TimeSpan.FromMilliseconds(parse.GetValue(stepMs)))
                .RunAsync(wait, cancellationToken);
            io.Out.WriteLine($"done: {seen.Count} button event(s).");
            return 0;
        });
        return new Command("panel", "The physical panel: LEDs, buttons, display") { test };
    }
}
