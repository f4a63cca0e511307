using System.Collections.Concurrent;
using System.Text;
using Appliance.Audit;
using Appliance.Client;
using Appliance.Common;
using Appliance.Config;
using Appliance.Devices.Tokens;
using Appliance.Pipeline;
using Appliance.Provisioning;
using Appliance.Server;
using Appliance.Tests.Support;
using Appliance.Token;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Appliance.Tests.Audit;

/// <summary>
/// The durability promise against a power cut, which is harsher than kill -9: whatever was written but not
/// fsync'd is lost (or torn), and a file whose directory entry was never fsync'd disappears. Bots send under
/// load across small segments (so rotations happen often) while the power goes at a random moment; after
/// the cut the server starts, the chain verifies, and every request that reached the exchange (every token
/// that left the appliance) has its record, matched by the token's nonce, which the exchange saw.
/// </summary>
public sealed class AuditPowerCutTests(ITestOutputHelper output)
{
    private const string Secret = "power-cut-secret-0123456789abcdefghij";

    [Fact]
    public async Task Every_token_released_before_a_power_cut_has_its_record_after_it()
    {
        using var dir = new TempDir("appliance-powercut");
        await using var exchange = await FakeUpbit.FakeUpbitServer.StartAsync();
        exchange.AddKey(DemoSetup.AccessKey, Secret);
        var data = new DataDir(dir.Sub("data"));
        using (var secret = SecretBytes.TakeFrom(Encoding.UTF8.GetBytes(Secret)))
            DemoSetup.Ensure(data, "127.0.0.1:0", TimeProvider.System, secret);
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var disk = new PowerCutDisk(random);
        var received = new ConcurrentDictionary<string, bool>();
        output.WriteLine($"seed {seed}");

        for (var round = 1; round <= 5; round++)
        {
            var server = await StartAsync(data, disk, exchange.BaseAddress);
            var records = AuditReader.ReadAll(data.AuditDir).ToList();
            AssertAllRecorded(exchange, records, round);
            using var stop = new CancellationTokenSource();
            var bots = Enumerable.Range(0, 4).Select(_ => Task.Run(() => SignUntilStopped(data, server.Addresses[0], received, stop.Token))).ToArray();
            var before = received.Count;
            await AuditChainTests.WaitUntil(() => received.Count > before + 20, 60_000);
            await Task.Delay(random.Next(20, 400));

            disk.Cut();
            await stop.CancelAsync();
            await Task.WhenAll(bots);
            await server.DisposeAsync(); // its stop record and last checkpoint fail: the power is off
            var lost = disk.Apply();
            output.WriteLine($"round {round}: {received.Count - before} answers, {received.Count} in all; power cut: {lost}");
        }

        var last = await StartAsync(data, disk, exchange.BaseAddress);
        await last.DisposeAsync();
        var result = AuditVerifier.Verify(data.AuditDir, TokenDescriptor.Load(data.TokenFile).PublicKey(KeySlot.Audit));
        Assert.True(result.Ok, result.Problem?.ToString());
        var all = AuditReader.ReadAll(data.AuditDir).ToList();
        AssertAllRecorded(exchange, all, 6);
        Assert.Equal(6, all.Count(r => r.Entry.Kind == AuditKind.Start));
        Assert.True(AuditSegments.List(data.AuditDir).Count >= 5, "too few rotations to exercise segment creation");
        output.WriteLine($"{exchange.Accepted.Count} requests reached the exchange, all recorded ({received.Count} answers); {all.Count} records in {AuditSegments.List(data.AuditDir).Count} segments; " +
                         $"{all.Count(r => r.Entry.Kind == AuditKind.Truncation)} torn-record truncations");
    }

    private static void AssertAllRecorded(FakeUpbit.FakeUpbitServer exchange, List<AuditRecord> records, int round)
    {
        var onDisk = records.Where(r => r.Entry.Decision == "sent").Select(r => r.Entry.Nonce).OfType<string>().ToHashSet();
        var reached = exchange.Accepted.Select(a => a.Nonce).ToList();
        var missing = reached.Where(n => !onDisk.Contains(n)).ToList();
        Assert.True(missing.Count == 0, $"after power cut {round - 1}: {missing.Count} of {reached.Count} requests that reached the exchange have no record");
    }

    private static Task<ApplianceServer> StartAsync(DataDir data, PowerCutDisk disk, Uri exchange) =>
        ApplianceServer.StartAsync(new ServerSetup(data, ApplianceConfig.Load(data.ConfigFile), TokenOpener.Open(data, null))
        {
            UpbitUrl = exchange.ToString(),
            InsecureTestUpstream = true,
            Listen = ["127.0.0.1:0"],
            MetricsListen = "127.0.0.1:0",
            Logging = l => l.AddFilter(_ => false),
            Rates = new UpbitRates { DefaultPerSecond = 100_000, OrderPerSecond = 100_000, OrderTestPerSecond = 100_000 },
            AuditOptions = new FileAuditLogOptions { Disk = disk, MaxSegmentBytes = 16 * 1024 },
        }, CancellationToken.None);

    private static async Task SignUntilStopped(DataDir data, Uri address, ConcurrentDictionary<string, bool> received, CancellationToken stop)
    {
        using var client = new ApplianceClient(ApplianceBundle.Load(Path.Combine(data.Root, "bundles", DemoSetup.BotName)), TimeProvider.System, address);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var answer = await client.SendAsync("GET", "/v1/orders/chance", [new("market", "KRW-BTC")], cancellationToken: stop);
                received[answer.AuditId] = true;
            }
            catch (RpcException) { await Task.Delay(10, CancellationToken.None); }
            catch (OperationCanceledException) { }
        }
    }
}
