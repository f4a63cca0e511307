using Appliance.Pipeline;
using System.Text;
using Appliance.Audit;
using Appliance.Client;
using Appliance.Common;
using Appliance.Config;
using Appliance.Provisioning;
using Appliance.Server;
using Appliance.Token;
using Microsoft.Extensions.Logging;
using Appliance.Devices.Tokens;

namespace Appliance.Bench;

/// <summary>A real appliance (demo data dir, software token, Kestrel mTLS on 127.0.0.1) with the audit sink under test.</summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private BenchServer(string name, DataDir data, ApplianceServer server)
    {
        Name = name;
        Data = data;
        Server = server;
    }

    public string Name { get; }
    public DataDir Data { get; }
    public ApplianceServer Server { get; }

    /// <param name="audit">null: the production FileAuditLog under DATA_DIR/audit.</param>
    public static async Task<BenchServer> StartAsync(string name, string root, IAuditSink? audit)
    {
        var data = new DataDir(Path.Combine(root, name));
        using (var secret = SecretBytes.TakeFrom(Encoding.UTF8.GetBytes("bench-secret-0123456789abcdefghijklmnopqr")))
            DemoSetup.Ensure(data, "127.0.0.1:0", TimeProvider.System, secret);
        // A 1 s skew keeps the replay window (and its per-bot capacity) ahead of tens of thousands of signs per second.
        var config = ApplianceConfig.Load(data.ConfigFile) with { ClockSkewSeconds = 1 };
        var setup = new ServerSetup(data, config, TokenOpener.Open(data, null))
        {
            Logging = l => l.AddFilter(_ => false),
            Audit = audit,
            // Measure the signer, not Upbit's 30/s per-credential budget (the rate guard would refuse).
            Rates = new UpbitRates { DefaultPerSecond = int.MaxValue / 2 },
        };
        return new BenchServer(name, data, await ApplianceServer.StartAsync(setup, CancellationToken.None));
    }

    public ApplianceClient Client() =>
        new(ApplianceBundle.Load(Path.Combine(Data.Root, "bundles", DemoSetup.BotName)), TimeProvider.System, Server.Addresses[0]);

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}
