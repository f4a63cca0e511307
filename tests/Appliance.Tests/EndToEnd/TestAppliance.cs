using System.Text;
using Appliance.Client;
using Appliance.Common;
using Appliance.Config;
using Appliance.Provisioning;
using Appliance.Server;
using Appliance.Pipeline;
using Appliance.Tests.Support;
using Appliance.Token;
using Microsoft.Extensions.Logging;
using Appliance.Devices.Tokens;

namespace Appliance.Tests.EndToEnd;

/// <summary>
/// A real appliance for a test: a demo data dir (software token, CA, demo credential and bot),
/// the server on 127.0.0.1 with TLS and client certificates, and a gRPC client holding the demo
/// bot's bundle. Everything but the token is the production code path.
/// </summary>
public sealed class TestAppliance : IAsyncDisposable
{
    public const string Secret = "e2e-secret-0123456789abcdefghijklmnopqrstuv";

    private readonly TempDir? _dir;

    private TestAppliance(TempDir? dir, DataDir data, ApplianceServer server, string bundleDir)
    {
        _dir = dir;
        Data = data;
        Server = server;
        BundleDir = bundleDir;
    }

    public DataDir Data { get; }
    public ApplianceServer Server { get; }
    public string BundleDir { get; }
    public Uri Address => Server.Addresses[0];
    public TimeProvider Time { get; private init; } = TimeProvider.System;

    public static async Task<TestAppliance> StartAsync(Func<ServerSetup, ServerSetup>? configure = null, TimeProvider? time = null,
        Action<DataDir>? prepare = null)
    {
        var dir = new TempDir();
        time ??= TimeProvider.System;
        var data = new DataDir(dir.Sub("data"));
        using (var secret = SecretBytes.TakeFrom(Encoding.UTF8.GetBytes(Secret)))
            DemoSetup.Ensure(data, "127.0.0.1:0", time, secret);
        prepare?.Invoke(data);
        return await StartServerAsync(dir, data, configure, time);
    }

    /// <summary>A server on a demo data dir the caller made (and keeps): for tests that stop and start it again.</summary>
    public static Task<TestAppliance> StartOnAsync(DataDir data, Func<ServerSetup, ServerSetup>? configure = null, TimeProvider? time = null) =>
        StartServerAsync(null, data, configure, time ?? TimeProvider.System);

    /// <summary>Makes a demo data dir (software token, CA, demo credentials and bot) with the test secret.</summary>
    public static void MakeDemoDataDir(DataDir data, TimeProvider? time = null)
    {
        using var secret = SecretBytes.TakeFrom(Encoding.UTF8.GetBytes(Secret));
        DemoSetup.Ensure(data, "127.0.0.1:0", time ?? TimeProvider.System, secret);
    }

    private static async Task<TestAppliance> StartServerAsync(TempDir? dir, DataDir data, Func<ServerSetup, ServerSetup>? configure, TimeProvider time)
    {
        var config = ApplianceConfig.Load(data.ConfigFile);
        var setup = new ServerSetup(data, config, TokenOpener.Open(data, null))
        {
            Time = time,
            Logging = l => l.AddFilter(_ => false),
            // Tests hammer the server in tight loops; Upbit's 30/s would answer RATE_LIMITED first.
            // The cancel-all group keeps its real 1 per 2 s so the rate guard stays under test.
            Rates = new UpbitRates { DefaultPerSecond = 100_000, OrderPerSecond = 100_000, OrderTestPerSecond = 100_000 },
        };
        if (configure is not null) setup = configure(setup);
        var server = await ApplianceServer.StartAsync(setup, CancellationToken.None);
        return new TestAppliance(dir, data, server, Path.Combine(data.Root, "bundles", DemoSetup.BotName)) { Time = time };
    }

    /// <summary>A client for the demo bot, or for another bundle.</summary>
    public ApplianceClient Client(string? bundleDir = null, TimeProvider? clientTime = null) =>
        new(ApplianceBundle.Load(bundleDir ?? BundleDir), clientTime ?? Time, Address);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _dir?.Dispose();
    }
}
