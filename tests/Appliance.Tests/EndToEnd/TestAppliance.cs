using System.Text;
using Appliance.Client;
using Appliance.Common;
using Appliance.Config;
using Appliance.Policy;
using Appliance.Provisioning;
using Appliance.Server;
using Appliance.Pipeline;
using Appliance.Tests.FakeUpbit;
using Appliance.Tests.Support;
using Appliance.Token;
using Microsoft.Extensions.Logging;
using Appliance.Devices.Tokens;

namespace Appliance.Tests.EndToEnd;

/// <summary>
/// A real appliance for a test: a demo data dir (software token, CA, demo credential and bot),
/// the server on 127.0.0.1 with TLS and client certificates, the stand-in exchange it sends to
/// (which checks every token as Upbit does), and a gRPC client holding the demo bot's bundle.
/// Everything but the token is the production code path.
/// </summary>
public sealed class TestAppliance : IAsyncDisposable
{
    public const string Secret = "e2e-secret-0123456789abcdefghijklmnopqrstuv";

    private readonly TempDir? _dir;

    private TestAppliance(TempDir? dir, DataDir data, ApplianceServer server, string bundleDir, FakeUpbitServer exchange)
    {
        _dir = dir;
        Data = data;
        Server = server;
        BundleDir = bundleDir;
        Exchange = exchange;
    }

    /// <summary>The stand-in exchange the appliance sends to; it records what reached it.</summary>
    public FakeUpbitServer Exchange { get; }

    public DataDir Data { get; }
    public ApplianceServer Server { get; }
    public string BundleDir { get; }
    public Uri Address => Server.Addresses[0];
    public TimeProvider Time { get; private init; } = TimeProvider.System;

    /// <param name="exchangeKnowsKeys">False: the stand-in does not know the demo access keys, so it answers 401 invalid_access_key.</param>
    public static async Task<TestAppliance> StartAsync(Func<ServerSetup, ServerSetup>? configure = null, TimeProvider? time = null,
        Action<DataDir>? prepare = null, bool exchangeKnowsKeys = true, StandInOptions? exchangeOptions = null,
        TimeProvider? setupTime = null)
    {
        var dir = new TempDir();
        time ??= TimeProvider.System;
        var data = new DataDir(dir.Sub("data"));
        // setupTime: the clock the demo data dir (CA, demo bot certificate) is made by, e.g. one in the past.
        using (var secret = SecretBytes.TakeFrom(Encoding.UTF8.GetBytes(Secret)))
            DemoSetup.Ensure(data, "127.0.0.1:0", setupTime ?? time, secret);
        // Tests send in tight loops: the demo bot's own rate (10/s by default) is tested in the rate tests.
        // A higher rate widens power, so it is signed (the software token signs without a touch).
        new BotEnrollment(data, time, anchorLater: true).Update(DemoSetup.BotName,
            p => p with { RatePerSecond = BotProfile.MaxRatePerSecond, Burst = BotProfile.MaxBurst });
        prepare?.Invoke(data);
        return await StartServerAsync(dir, data, configure, time, exchangeKnowsKeys, exchangeOptions);
    }

    /// <summary>A server on a demo data dir the caller made (and keeps): for tests that stop and start it again.</summary>
    public static Task<TestAppliance> StartOnAsync(DataDir data, Func<ServerSetup, ServerSetup>? configure = null, TimeProvider? time = null,
        StandInOptions? exchangeOptions = null) =>
        StartServerAsync(null, data, configure, time ?? TimeProvider.System, exchangeKnowsKeys: true, exchangeOptions);

    /// <summary>Makes a demo data dir (software token, CA, demo credentials and bot) with the test secret.</summary>
    public static void MakeDemoDataDir(DataDir data, TimeProvider? time = null)
    {
        using var secret = SecretBytes.TakeFrom(Encoding.UTF8.GetBytes(Secret));
        DemoSetup.Ensure(data, "127.0.0.1:0", time ?? TimeProvider.System, secret);
    }

    private static async Task<TestAppliance> StartServerAsync(TempDir? dir, DataDir data, Func<ServerSetup, ServerSetup>? configure, TimeProvider time,
        bool exchangeKnowsKeys, StandInOptions? exchangeOptions)
    {
        var config = ApplianceConfig.Load(data.ConfigFile);
        var exchange = await FakeUpbitServer.StartAsync(options: exchangeOptions);
        if (exchangeKnowsKeys)
        {
            exchange.AddKey(DemoSetup.AccessKey, Secret);
            exchange.AddKey(DemoSetup.WithdrawAccessKey, Secret);
        }
        var setup = new ServerSetup(data, config, TokenOpener.Open(data, null))
        {
            Time = time,
            UpbitUrl = exchange.BaseAddress.ToString(),
            InsecureTestUpstream = true,
            Logging = l => l.AddFilter(_ => false),
            // Tests hammer the server in tight loops; Upbit's 30/s would answer RATE_LIMITED first.
            // The cancel-all group keeps its real 1 per 2 s so the rate guard stays under test.
            Rates = new UpbitRates { DefaultPerSecond = 100_000, OrderPerSecond = 100_000, OrderTestPerSecond = 100_000 },
        };
        if (configure is not null) setup = configure(setup);
        try
        {
            var server = await ApplianceServer.StartAsync(setup, CancellationToken.None);
            return new TestAppliance(dir, data, server, DemoSetup.BundleDir(data), exchange) { Time = time };
        }
        catch
        {
            await exchange.DisposeAsync();
            dir?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Where a test writes another bot's bundle: beside the data dir, never in it (bots add refuses
    /// an --out inside the data dir; only the demo bot's bundle lives there).
    /// </summary>
    public static string BundleFor(DataDir data, string bot) => Path.Combine(Path.GetDirectoryName(data.Root)!, "bundles", bot);

    /// <summary>A client for the demo bot, or for another bundle.</summary>
    public ApplianceClient Client(string? bundleDir = null, TimeProvider? clientTime = null) =>
        new(ApplianceBundle.Load(bundleDir ?? BundleDir), clientTime ?? Time, Address);

    /// <summary>Adds a bot to the running appliance (the registry picks it up within a poll) and returns its bundle directory.</summary>
    public async Task<string> AddBotAsync(BotRequest request)
    {
        var bundle = BundleFor(Data, request.Name);
        new BotEnrollment(Data, Time).Add(request, bundle);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!Server.Bots.All.Any(b => b.Name == request.Name) && DateTime.UtcNow < deadline) await Task.Delay(20);
        return bundle;
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Exchange.DisposeAsync();
        _dir?.Dispose();
    }
}
