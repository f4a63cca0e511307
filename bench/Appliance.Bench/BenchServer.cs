using System.Text;
using Appliance.Audit;
using Appliance.Client;
using Appliance.Common;
using Appliance.Config;
using Appliance.Credentials;
using Appliance.Devices.Tokens;
using Appliance.Pipeline;
using Appliance.Policy;
using Appliance.Provisioning;
using Appliance.Server;
using Appliance.StandIn;
using Microsoft.Extensions.Logging;

namespace Appliance.Bench;

/// <summary>
/// A real appliance (demo data dir, software token, Kestrel mTLS on 127.0.0.1, the production FileAuditLog
/// unless another sink is given) whose upstream is a stand-in exchange on loopback, as the end-to-end
/// tests run it. Logging is off and the rate limits are out of the way: the bench measures the request
/// path, not Upbit's 30/s budget.
/// </summary>
internal sealed class BenchServer : IAsyncDisposable
{
    public const string Secret = "bench-secret-0123456789abcdefghijklmnopqr";
    public const int SendBots = 32;
    public const int SignBots = 4;

    public static string SendBot(int i) => $"bench-send-{i:D2}";
    public static string SignBot(int i) => $"bench-sign-{i}";
    private static string BundlePath(string root, string name, string bot) => Path.Combine(root, name + "-bundles", bot);

    private BenchServer(string name, DataDir data, ApplianceServer server, StandInExchange exchange)
    {
        Name = name;
        Data = data;
        Server = server;
        Exchange = exchange;
    }

    public string Name { get; }
    public DataDir Data { get; }
    public ApplianceServer Server { get; }
    public StandInExchange Exchange { get; }
    public Uri Address => Server.Addresses[0];

    /// <param name="audit">null: the production FileAuditLog under DATA_DIR/audit.</param>
    /// <param name="auditOptions">null: the production defaults.</param>
    public static async Task<BenchServer> StartAsync(string name, string root, IAuditSink? audit = null, FileAuditLogOptions? auditOptions = null)
    {
        var data = new DataDir(Path.Combine(root, name));
        using (var secret = SecretBytes.TakeFrom(Encoding.UTF8.GetBytes(Secret)))
            DemoSetup.Ensure(data, "127.0.0.1:0", TimeProvider.System, secret);
        var bots = new BotStore(data.Root);
        bots.Save(bots.Load(DemoSetup.BotName) with { RatePerSecond = BotProfile.MaxRatePerSecond, Burst = BotProfile.MaxBurst });
        // A bot's own bucket stops at 1000/s, more than one bot reaches under load: spread callers over bots.
        var enroll = new BotEnrollment(data, TimeProvider.System);
        for (var i = 0; i < SendBots; i++)
            enroll.Add(new BotRequest(SendBot(i), DemoSetup.CredentialName, DemoSetup.Scopes)
                { AllOrders = true, RatePerSecond = BotProfile.MaxRatePerSecond, Burst = BotProfile.MaxBurst }, BundlePath(root, name, SendBot(i)));
        // Sign needs detached bots: each a view-only credential of its own, no caps, no markets.
        for (var i = 0; i < SignBots; i++)
        {
            using (var secret = SecretBytes.TakeFrom(Encoding.UTF8.GetBytes(Secret)))
                new CredentialProvisioning(data, TimeProvider.System).Add($"viewer-{i}", $"viewer-access-{i}", Sealing.ApprovalMode.None, ["view-assets"], null, secret);
            enroll.Add(new BotRequest(SignBot(i), $"viewer-{i}", ["view-assets"]) { Detached = true, RatePerSecond = BotProfile.MaxRatePerSecond, Burst = BotProfile.MaxBurst },
                BundlePath(root, name, SignBot(i)));
        }

        var exchange = await StandInExchange.StartAsync(options: new StandInOptions { Log = _ => { }, RemainingReqScale = 1_000_000 });
        exchange.AddKey(DemoSetup.AccessKey, Secret);
        for (var i = 0; i < SignBots; i++) exchange.AddKey($"viewer-access-{i}", Secret);
        // Sign checks client_time: an open loop past capacity delays requests by seconds, and they should be
        // measured as slow, not refused as stale.
        var config = ApplianceConfig.Load(data.ConfigFile) with { ClockSkewSeconds = 30 };
        var setup = new ServerSetup(data, config, TokenOpener.Open(data, null))
        {
            Logging = l => l.AddFilter(_ => false),
            Audit = audit,
            AuditOptions = auditOptions,
            UpbitUrl = exchange.BaseAddress.ToString(),
            InsecureTestUpstream = true,
            Rates = new UpbitRates { DefaultPerSecond = 1_000_000, OrderPerSecond = 1_000_000, OrderTestPerSecond = 1_000_000 },
        };
        try
        {
            return new BenchServer(name, data, await ApplianceServer.StartAsync(setup, CancellationToken.None), exchange);
        }
        catch
        {
            await exchange.DisposeAsync();
            throw;
        }
    }

    /// <summary>The bundle of bot <paramref name="bot"/> (<see cref="SendBot"/>, <see cref="SignBot"/>), or the demo bot's.</summary>
    public ApplianceBundle Bundle(string? bot = null) => ApplianceBundle.Load(bot is null
        ? DemoSetup.BundleDir(Data)
        : BundlePath(Path.GetDirectoryName(Data.Root)!, Name, bot));

    /// <summary>A gRPC client of the given bot (the demo bot by default).</summary>
    public ApplianceClient Client(string? bot = null) => new(Bundle(bot), TimeProvider.System, Address);

    /// <summary>An HttpClient on the HTTPS front with the given bot's certificate.</summary>
    public HttpClient FrontClient(string? bot = null) =>
        new(ApplianceTls.CreateHandler(Bundle(bot)), disposeHandler: true) { BaseAddress = Address };

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Exchange.DisposeAsync();
    }
}
