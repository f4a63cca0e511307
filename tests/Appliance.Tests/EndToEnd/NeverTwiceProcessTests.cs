using Appliance.Audit;
using Appliance.Cli;
using Appliance.Client;
using Appliance.Common;
using Appliance.Orders;
using Appliance.Provisioning;
using Appliance.StandIn;
using Appliance.Tests.Support;
using Google.Rpc;
using Grpc.Core;

namespace Appliance.Tests.EndToEnd;

/// <summary>
/// Never twice, against the real executable: an order reaches the exchange, the appliance is SIGKILLed
/// before the answer comes back, and after a restart the bot's retry of the same request_id is
/// OUTCOME_UNKNOWN: nothing is sent again, the order can be looked up by its derived identifier, and
/// the audit log verifies.
/// </summary>
public sealed class NeverTwiceProcessTests(ITestOutputHelper output)
{
    private const string Secret = "never-twice-secret-0123456789abcdefghijklmnop";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly KeyValuePair<string, string>[] Order =
        [new("market", "KRW-BTC"), new("side", "bid"), new("volume", "0.0001"), new("price", "100000000"), new("ord_type", "limit")];

    [Fact]
    public async Task A_SIGKILL_between_send_and_answer_then_a_retry_is_OUTCOME_UNKNOWN_and_sends_nothing()
    {
        using var dir = new TempDir("appliance-never-twice");
        await using var exchange = await FakeUpbit.FakeUpbitServer.StartAsync(options: FakeUpbit.FakeUpbitServer.Quiet());
        exchange.AddKey(DemoSetup.AccessKey, Secret);
        var data = dir.Sub("data");
        // The exchange takes the order, then holds its answer: the appliance dies while waiting for it.
        exchange.Exchange.Faults.Add(StandInFault.Delayed(TimeSpan.FromMinutes(5), path: "/v1/orders", method: "POST"));
        int OrdersPlaced() => exchange.Accepted.Count(a => a.Method == "POST" && a.Path == "/v1/orders");

        using (var server = await ApplianceProcess.StartDemoAsync(data, Secret, StartTimeout, exchange.BaseAddress))
        {
            using var client = Client(data, server.Address);
            var pending = client.SendAsync("POST", "/v1/orders", Order, requestId: "order-1");
            await Eventually.HoldsAsync(() => OrdersPlaced() == 1, "the order reached the exchange", TimeSpan.FromSeconds(30));
            await server.KillAsync();
            await Assert.ThrowsAsync<RpcException>(() => pending);
        }

        using (var server = await ApplianceProcess.StartDemoAsync(data, Secret, StartTimeout, exchange.BaseAddress))
        {
            using var client = Client(data, server.Address);
            var retry = await RpcRefusals.AssertRefused(StatusCode.Unavailable, Reasons.OutcomeUnknown,
                () => client.SendAsync("POST", "/v1/orders", Order, requestId: "order-1"));
            Assert.Equal(1, OrdersPlaced());

            // The order the bot could not see is found by the identifier the appliance derived for it.
            var identifier = OrderIdentifiers.Derive(DemoSetup.BotName, "order-1");
            Assert.Contains(identifier, retry.Status.Detail + string.Join(",", retry.GetRpcStatus()!.GetDetail<ErrorInfo>()!.Metadata.Values));
            var lookup = await client.SendAsync("GET", "/v1/order", [new("identifier", identifier)]);
            output.WriteLine($"lookup: {lookup.HttpStatus} {lookup.Body.ToStringUtf8()}");
            Assert.Equal(200, lookup.HttpStatus);
            Assert.Contains(identifier, lookup.Body.ToStringUtf8());
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(15)));
        }

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await new CliApp(new CliIo(TextReader.Null, stdout, stderr, false), TimeProvider.System)
            .RunAsync(["audit", "verify", "--data-dir", data]);
        output.WriteLine(stdout.ToString() + stderr);
        Assert.True(code == 0, stderr.ToString());
        // The log reads as: the order sent, and no outcome for it.
        var records = AuditReader.ReadAll(Path.Combine(data, "audit")).Select(r => r.Entry).ToList();
        var order = Assert.Single(records, e => e.Decision == "sent" && e.Path == "/v1/orders");
        Assert.DoesNotContain(records, e => e.Kind == AuditKind.Outcome && e.AuditId == order.AuditId);
    }

    private static ApplianceClient Client(string data, Uri address) =>
        new(ApplianceBundle.Load(Path.Combine(data, "bundles", DemoSetup.BotName)), TimeProvider.System, address);
}
