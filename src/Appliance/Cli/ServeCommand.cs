using System.CommandLine;
using Appliance.Config;
using Appliance.Panel;
using Appliance.Provisioning;
using Appliance.Server;
using Appliance.Pipeline;
using Appliance.Token;
using Appliance.Devices.Panels;
using Appliance.Devices.Tokens;

namespace Appliance.Cli;

/// <summary><c>appliance serve</c> and <c>appliance demo</c>: run the signing server until Ctrl+C.</summary>
internal static class ServeCommand
{
    public static Command BuildServe(CliIo io, TimeProvider time)
    {
        var dataDir = CommonOptions.DataDir();
        var listen = new Option<string[]>("--listen") { Description = "HOST:PORT to listen on; repeat for more (default: appliance.json)" };
        var panel = new Option<string?>("--panel") { Description = "gpio|console|socket|none (default: appliance.json's panel)" };
        var insecureTestPanel = new Option<bool>("--insecure-test-panel") { Description = "Allow --panel socket (a software approve button) for a data dir not made by demo: tests only" };
        var pinFile = new Option<string?>("--pin-file") { Description = "File (mode 0600) holding the token PIN (default: pin_file in appliance.json)" };
        var command = new Command("serve", "Run the signing server") { dataDir, listen, panel, insecureTestPanel, pinFile };
        CommandAction.Set(command, io, async (parse, cancellationToken) =>
        {
            var data = CommonOptions.Open(parse, dataDir);
            var config = ApplianceConfig.Load(data.ConfigFile);
            PolicyInventory.RequireSigned(data); // no unsigned bot, credential or config key: run 'policy sign-all' once
            var panelName = PanelFactory.Resolve(parse.GetValue(panel), config);
            PanelFactory.EnsureAllowed(panelName, config, parse.GetValue(insecureTestPanel));
            using var panelDevice = CreatePanel(io, panelName, data, config, time);
            var pin = parse.GetValue(pinFile) ?? config.PinFile;
            var token = TokenOpener.Open(data, pin);
            var listenOverride = parse.GetValue(listen) is { Length: > 0 } l ? l : null;
            // A PKCS#11 instance that saw its token go stays absent: after a re-plug the monitor opens a new one.
            Func<IHardwareToken>? reopen = token.IsSoftware ? null : () => TokenOpener.Open(data, pin);
            var setup = new ServerSetup(data, config, token) { Time = time, Listen = listenOverride, ReopenToken = reopen, Panel = panelDevice };
            return await RunAsync(io, setup, null, cancellationToken);
        });
        return command;
    }

    public static Command BuildDemo(CliIo io, TimeProvider time)
    {
        var dataDir = CommonOptions.DataDir(demo: true);
        var listen = new Option<string>("--listen") { Description = "HOST:PORT (default 127.0.0.1:50051)", DefaultValueFactory = _ => "127.0.0.1:50051" };
        var secretStdin = new Option<bool>("--secret-stdin") { Description = "Read the demo credential's secret from stdin (to test against a stand-in exchange)" };
        var command = new Command("demo", "Everything in one process: software token, demo credential and bot, console panel") { dataDir, listen, secretStdin };
        CommandAction.Set(command, io, async (parse, cancellationToken) =>
        {
            var data = new DataDir(parse.GetValue(dataDir)!);
            using var secret = parse.GetValue(secretStdin) ? SecretInput.ReadLine(io, "Demo secret key: ") : null;
            var demo = DemoSetup.Ensure(data, parse.GetValue(listen)!, time, secret);
            var config = ApplianceConfig.Load(data.ConfigFile);
            var token = TokenOpener.Open(data, null);
            io.Out.WriteLine("*** DEMO: SOFTWARE TOKEN. The keys in software-token.json protect nothing; this is not a hardware key. ***");
            io.Out.WriteLine($"data dir: {data.Root}");
            using var panelDevice = CreatePanel(io, "console", data, config, time);
            return await RunAsync(io, new ServerSetup(data, config, token) { Time = time, Panel = panelDevice }, demo.BundleDir, cancellationToken);
        });
        return command;
    }

    /// <summary>Keys reach the console panel only from a terminal (stdin may carry a secret).</summary>
    private static IPanel CreatePanel(CliIo io, string name, DataDir data, ApplianceConfig config, TimeProvider time) =>
        PanelFactory.Create(name, data, config, time, io.Out, io.InputIsTerminal ? new TerminalKeys() : null);

    private static async Task<int> RunAsync(CliIo io, ServerSetup setup, string? demoBundle, CancellationToken cancellationToken)
    {
        await using var server = await ApplianceServer.StartAsync(setup, cancellationToken);
        io.Out.WriteLine($"listening on {string.Join(", ", server.Addresses)} (mTLS; client certificate required)");
        if (demoBundle is not null)
        {
            io.Out.WriteLine("try it from another terminal:");
            io.Out.WriteLine($"  {SelfCommand()} sign --bundle {demoBundle} GET /v1/accounts");
            io.Out.WriteLine($"  {SelfCommand()} sign --bundle {demoBundle} GET /v1/orders/open market=KRW-BTC 'states[]=wait' 'states[]=watch'");
            io.Out.WriteLine("a withdrawal waits for you: press 'a' here to approve or 'r' to reject (60 s):");
            io.Out.WriteLine($"  {SelfCommand()} sign --bundle {demoBundle} --credential {DemoSetup.WithdrawCredentialName} POST /v1/withdraws/coin currency=BTC net_type=BTC amount=0.001 address={DemoSetup.WithdrawAddress}");
        }
        io.Out.WriteLine("Ctrl+C stops the server and zeroes every secret.");
        try { await server.WaitForShutdownAsync(cancellationToken); }
        catch (OperationCanceledException) { }
        return 0;
    }

    /// <summary>How to run this same program again: the apphost, or `dotnet appliance.dll` under `dotnet run`.</summary>
    internal static string SelfCommand()
    {
        var process = Environment.ProcessPath ?? "appliance";
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? $"dotnet {typeof(ServeCommand).Assembly.Location}"
            : process;
    }
}
