using Appliance.Config;
using Microsoft.Extensions.Logging;
using Appliance.Panel;

namespace Appliance.Devices.Panels;

/// <summary>Turns <c>--panel</c> (or appliance.json's <c>panel</c>) into a panel, refusing the test panel where it does not belong.</summary>
public static class PanelFactory
{
    public static readonly IReadOnlyList<string> Names = ["gpio", "console", "socket", "none"];

    /// <summary>The panel to use: the flag, else appliance.json (console for a demo data dir).</summary>
    public static string Resolve(string? requested, ApplianceConfig config)
    {
        var name = (requested ?? (config.Demo ? "console" : config.Panel)).Trim().ToLowerInvariant();
        if (!Names.Contains(name))
            throw new ArgumentException($"--panel {name} is not a panel; use one of {string.Join(", ", Names)}.");
        return name;
    }

    /// <summary>
    /// The socket panel is a software approve button any process of this user can press, so a
    /// production appliance must never run it: only a data dir made by <c>demo</c>, or an explicit
    /// <c>--insecure-test-panel</c>, allows it.
    /// </summary>
    public static void EnsureAllowed(string name, ApplianceConfig config, bool insecureTestPanel)
    {
        if (name == "socket" && !config.Demo && !insecureTestPanel)
            throw new ArgumentException(
                "--panel socket lets any local process of this user press 'approve', so it is refused for a data dir not made by 'appliance demo'. " +
                "Use --panel gpio on the appliance, or add --insecure-test-panel on a test machine.");
    }

    public static IPanel Create(string name, DataDir data, ApplianceConfig config, TimeProvider time, TextWriter console,
        IKeySource? keys, ILogger? logger = null) => name switch
    {
        "gpio" => GpioPanel.Open(config.PanelOptions, time, logger),
        "console" => new ConsolePanel(console, time, keys),
        "socket" => SocketPanel.Start(data.PanelSocket, time, logger),
        "none" => new NullPanel(),
        _ => throw new ArgumentException($"--panel {name} is not a panel; use one of {string.Join(", ", Names)}."),
    };
}
