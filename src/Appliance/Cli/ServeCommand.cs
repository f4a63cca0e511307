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
        var upbitUrl = new Option<string?>("--upbit-url") { Description = "Exchange base URL (default: appliance.json's upbit_url, else https://api.upbit.com)" };
        var insecureTestUpstream = new Option<bool>("--insecure-test-upstream") { Description = "Allow --upbit-url to name a host other than Upbit's, over http too: tests and stand-ins only" };
        var command = new Command("serve", "Run the appliance") { dataDir, listen, panel, insecureTestPanel, pinFile, upbitUrl, insecureTestUpstream };
        CommandAction.Set(command, io, async (parse, cancellationToken) =>
        {
            var data = CommonOptions.Open(parse, dataDir);
            using var owner = data.LockForServer(); // before the panel, the token or the audit log is touched
            var config = ApplianceConfig.Load(data.ConfigFile);
            PolicyInventory.RequireSigned(data); // no unsigned bot, credential or config key: run 'policy sign-all' once
            // Once per start: old keys the file still carries (ignored, or read under their new name).
            foreach (var warning in config.Warnings) io.Error.WriteLine($"warning: {warning}");
            WarnIfSecretsCannotBeLocked(io, data);
            var panelName = PanelFactory.Resolve(parse.GetValue(panel), config);
            PanelFactory.EnsureAllowed(panelName, config, parse.GetValue(insecureTestPanel));
            using var panelDevice = CreatePanel(io, panelName, data, config, time);
            var pin = parse.GetValue(pinFile) ?? config.PinFile;
            var token = TokenOpener.Open(data, pin);
            var listenOverride = parse.GetValue(listen) is { Length: > 0 } l ? l : null;
            // A PKCS#11 instance that saw its token go stays absent: after a re-plug the monitor opens a new one.
            Func<IHardwareToken>? reopen = token.IsSoftware ? null : () => TokenOpener.Open(data, pin);
            var setup = new ServerSetup(data, config, token)
            {
                Time = time, Listen = listenOverride, ReopenToken = reopen, Panel = panelDevice,
                UpbitUrl = parse.GetValue(upbitUrl), InsecureTestUpstream = parse.GetValue(insecureTestUpstream),
            };
            return await RunAsync(io, setup, null, cancellationToken);
        });
        return command;
    }

    public static Command BuildDemo(CliIo io, TimeProvider time)
    {
        var dataDir = CommonOptions.DataDir(demo: true);
        var listen = new Option<string>("--listen") { Description = "HOST:PORT (default 127.0.0.1:50051)", DefaultValueFactory = _ => "127.0.0.1:50051" };
        var secretStdin = new Option<bool>("--secret-stdin") { Description = "Read the demo credential's secret from stdin (to test against a stand-in exchange)" };
        var upbitUrl = new Option<string?>("--upbit-url") { Description = "Send to this exchange instead of the demo's in-process stand-in (any host: this is a demo)" };
        var command = new Command("demo", "Everything in one process: software token, demo credential and bot, console panel, a stand-in exchange")
        {
            dataDir, listen, secretStdin, upbitUrl,
        };
        CommandAction.Set(command, io, async (parse, cancellationToken) =>
        {
            var data = new DataDir(parse.GetValue(dataDir)!);
            DemoSetup.EnsureMadeByDemo(data); // a dir demo did not make gets not even a lock file
            using var owner = data.LockForServer(); // before demo setup writes anything
            DemoSetup.Result demo;
            // Zeroed once sealed: the server holds only what it unseals.
            using (var secret = parse.GetValue(secretStdin) ? SecretInput.ReadLine(io, "Demo secret key: ") : null)
                demo = DemoSetup.Ensure(data, parse.GetValue(listen)!, time, secret);
            WarnIfSecretsCannotBeLocked(io, data);
            var config = ApplianceConfig.Load(data.ConfigFile);
            var token = TokenOpener.Open(data, null);
            io.Out.WriteLine("*** DEMO: SOFTWARE TOKEN. The keys in software-token.json protect nothing; this is not a hardware key. ***");
            io.Out.WriteLine($"data dir: {data.Root}");
            io.Out.WriteLine($"audit key fingerprint: {Audit.AuditKeyFingerprint.Of(token.GetPublicKey(KeySlot.Audit))}");
            await using var exchange = parse.GetValue(upbitUrl) is null ? await DemoExchange.StartAsync(data, token, io.Out, cancellationToken) : null;
            var upstream = parse.GetValue(upbitUrl) ?? exchange!.BaseAddress.ToString();
            io.Out.WriteLine(exchange is null
                ? $"exchange: {upstream}"
                : $"exchange: {upstream} -- {StandIn.StandInExchange.Banner}");
            using var panelDevice = CreatePanel(io, "console", data, config, time);
            var setup = new ServerSetup(data, config, token) { Time = time, Panel = panelDevice, UpbitUrl = upstream, InsecureTestUpstream = true };
            return await RunAsync(io, setup, demo.BundleDir, cancellationToken);
        });
        return command;
    }

    /// <summary>Once, at start; the journal keeps stderr.</summary>
    private static void WarnIfSecretsCannotBeLocked(CliIo io, DataDir data)
    {
        if (ProcessHardening.CheckMemoryLock(data) is { } warning) io.Error.WriteLine(warning);
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
            var front = server.Addresses[0].ToString().TrimEnd('/');
            io.Out.WriteLine("try it from another terminal; the appliance sends each request and prints the exchange's answer:");
            io.Out.WriteLine($"  {SelfCommand()} sign --bundle {demoBundle} --send GET /v1/accounts");
            io.Out.WriteLine($"  {SelfCommand()} sign --bundle {demoBundle} --send POST /v1/orders market=KRW-BTC side=bid ord_type=limit price=100000000 volume=0.001");
            io.Out.WriteLine($"  {SelfCommand()} sign --bundle {demoBundle} --send GET /v1/orders/open market=KRW-BTC 'states[]=wait' 'states[]=watch'");
            io.Out.WriteLine("or as any Upbit client would, through the HTTPS front with the bot's certificate:");
            io.Out.WriteLine($"  curl --cacert {demoBundle}/ca.pem --cert {demoBundle}/bot.pem --key {demoBundle}/bot.key {front}/v1/accounts");
            io.Out.WriteLine("a withdrawal waits for you: press 'a' here to approve or 'r' to reject (60 s):");
            io.Out.WriteLine($"  {SelfCommand()} sign --bundle {demoBundle} --send --credential {DemoSetup.WithdrawCredentialName} POST /v1/withdraws/coin currency=BTC net_type=BTC amount=0.001 address={DemoSetup.WithdrawAddress}");
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
