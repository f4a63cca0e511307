using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Appliance.Common;
using Appliance.Config;
using Appliance.Pipeline;
using Appliance.Policy;
using Appliance.Provisioning;
using Appliance.StandIn;

namespace Appliance.Bench;

/// <summary>
/// The real `appliance demo` executable in its own process (so its RSS is its own), sending to a
/// stand-in exchange that runs in the bench process. The data dir is prepared first as demo makes it,
/// with bots enrolled as `bots add --out` does (bundles outside the data dir) and the Upbit rate groups
/// raised in appliance.json, so the bench measures the appliance rather than Upbit's 30/s.
/// </summary>
internal sealed class BenchProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private BenchProcess(Process process, Uri address, long startedAt) => (_process, Address, StartedAt) = (process, address, startedAt);

    public Uri Address { get; }
    public int Id => _process.Id;

    /// <summary>Stopwatch timestamp taken just before the process was started.</summary>
    public long StartedAt { get; }

    /// <summary>Stopwatch timestamp when it printed "listening on".</summary>
    public long ListeningAt { get; private set; }

    public string Output { get { lock (_output) return string.Join('\n', _output); } }

    /// <summary>Makes the demo data dir, raises the rate groups and enrolls <paramref name="bots"/> bots; returns their bundle dirs.</summary>
    public static IReadOnlyList<string> Prepare(DataDir data, int bots, double botRate)
    {
        using (var secret = SecretBytes.TakeFrom(Encoding.UTF8.GetBytes(BenchServer.Secret)))
            DemoSetup.Ensure(data, "127.0.0.1:0", TimeProvider.System, secret);
        var config = ApplianceConfig.Load(data.ConfigFile);
        (config with
        {
            Rates = new RateOptions
            {
                DefaultPerSecond = UpbitRates.MaxPerSecond, OrderPerSecond = UpbitRates.MaxPerSecond, OrderTestPerSecond = UpbitRates.MaxPerSecond,
            },
        }).Save(data.ConfigFile);
        var enroll = new BotEnrollment(data, TimeProvider.System);
        var bundles = new List<string>();
        for (var i = 0; i < bots; i++)
        {
            var dir = Path.Combine(Path.GetDirectoryName(data.Root)!, "bundles", $"soak-{i:D2}");
            enroll.Add(new BotRequest($"soak-{i:D2}", DemoSetup.CredentialName, DemoSetup.Scopes) { RatePerSecond = botRate, Burst = (int)Math.Ceiling(botRate * 2) }, dir);
            bundles.Add(dir);
        }
        return bundles;
    }

    /// <summary>A stand-in that knows the demo key and does not hold the bench to Upbit's 30/s.</summary>
    public static async Task<StandInExchange> StartExchangeAsync()
    {
        var exchange = await StandInExchange.StartAsync(options: new StandInOptions
        {
            Log = _ => { },
            RemainingReqScale = 1_000_000,
            Balances = new Dictionary<string, decimal> { ["KRW"] = 1_000_000_000_000m, ["BTC"] = 1_000m },
        });
        exchange.AddKey(DemoSetup.AccessKey, BenchServer.Secret);
        return exchange;
    }

    /// <summary>Starts `dotnet appliance.dll demo` on a free port; does not wait.</summary>
    public static BenchProcess Start(DataDir data, Uri upbit, IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        foreach (var a in new[] { FindApplianceDll(), "demo", "--data-dir", data.Root, "--listen", $"127.0.0.1:{port}", "--secret-stdin", "--upbit-url", upbit.ToString() })
            start.ArgumentList.Add(a);
        var process = new Process { StartInfo = start };
        var startedAt = Stopwatch.GetTimestamp();
        var app = new BenchProcess(process, new Uri($"https://127.0.0.1:{port}"), startedAt);
        process.OutputDataReceived += (_, e) => app.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => app.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.WriteLine(BenchServer.Secret);
        process.StandardInput.Close();
        return app;
    }

    public Task Listening => _listening.Task;

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_output) _output.Add(line);
        if (line.StartsWith("listening on", StringComparison.Ordinal))
        {
            ListeningAt = Stopwatch.GetTimestamp();
            _listening.TrySetResult();
        }
    }

    /// <summary>VmRSS and VmHWM (peak) of the process, in MB, from /proc.</summary>
    public (double Rss, double Peak) Memory()
    {
        double rss = double.NaN, peak = double.NaN;
        foreach (var line in File.ReadLines($"/proc/{Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kb(line) / 1024;
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) peak = Kb(line) / 1024;
        }
        return (rss, peak);

        static double Kb(string line) => double.Parse(line.Split(':', 2)[1].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>appliance.dll beside this assembly, else the newest under src/Appliance/bin.</summary>
    public static string FindApplianceDll()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "appliance.dll");
        if (File.Exists(beside) && File.Exists(Path.Combine(AppContext.BaseDirectory, "appliance.runtimeconfig.json"))) return beside;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var bin = Path.Combine(dir.FullName, "src", "Appliance", "bin", "Release");
            if (!Directory.Exists(bin)) continue;
            var found = Directory.EnumerateFiles(bin, "appliance.dll", SearchOption.AllDirectories)
                .Where(p => File.Exists(Path.ChangeExtension(p, ".runtimeconfig.json")))
                .OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault();
            if (found is not null) return found;
        }
        throw new FileNotFoundException("appliance.dll was not found; build the solution in Release first.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        try { if (!_process.HasExited) { _process.Kill(); _process.WaitForExit(5000); } }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
