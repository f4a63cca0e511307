using Appliance.Tests.Audit;
using Appliance.Tests.EndToEnd;
using Grpc.Core;

namespace Appliance.Tests.Metrics;

/// <summary>Scrape the Prometheus endpoint after real traffic and find the counters.</summary>
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Counters_reflect_the_traffic()
    {
        await using var appliance = await TestAppliance.StartAsync(s => s with { MetricsListen = "127.0.0.1:0" });
        using var client = appliance.Client();
        for (var i = 0; i < 3; i++) await client.SendAsync("GET", "/v1/accounts", []);
        await Assert.ThrowsAsync<RpcException>(() => client.SendAsync("GET", "/v1/orders/chance", [new("market", "KRW BTC")]));
        await Assert.ThrowsAsync<RpcException>(() => client.SendAsync("POST", "/v1/withdraws/krw", [new("amount", "10000")]));

        var address = appliance.Server.Metrics.Address;
        Assert.NotNull(address);
        Assert.Equal("127.0.0.1", address.Host);
        using var http = new HttpClient();
        string text = "";
        try
        {
            await AuditChainTests.WaitUntil(() =>
            {
                text = http.GetStringAsync(address).GetAwaiter().GetResult();
                return text.Contains("appliance_alerts");
            });
        }
        catch (TimeoutException)
        {
            Assert.Fail("no appliance_alerts in the scrape:\n" + text);
        }

        Assert.Matches(@"appliance_sign_requests\{[^}]*outcome=""sent""[^}]*\} 3", Sample(text, "outcome=\"sent\""));
        Assert.Contains("reason=\"BAD_PARAM_VALUE\"", text);
        Assert.Contains("appliance_sign_duration", text);
        Assert.Matches(@"appliance_alerts\{rule=""withdrawal""\} 1", text);
        Assert.Contains("appliance_token_present 1", text);
        Assert.Contains("appliance_audit_available 1", text);
        Assert.Contains("appliance_audit_queue_depth", text);
        Assert.Contains("appliance_audit_fsync_duration", text);
        // The audit log's share of the disk (days left appears once there is a minute of history).
        Assert.Matches(@"appliance_audit_bytes [1-9]", text);
        Assert.Matches(@"appliance_audit_disk_used_ratio 0\.[0-9]", text);
        Assert.Contains("appliance_audit_disk_free ", text);
    }

    [Fact]
    public async Task A_taken_metrics_port_does_not_stop_the_signer()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        await using var appliance = await TestAppliance.StartAsync(s => s with { MetricsListen = $"127.0.0.1:{port}" });
        Assert.Null(appliance.Server.Metrics.Address);
        using var client = appliance.Client();
        await client.SendAsync("GET", "/v1/accounts", []);
    }

    private static string Sample(string text, string contains) =>
        string.Join('\n', text.Split('\n').Where(l => l.StartsWith("appliance_sign_requests", StringComparison.Ordinal) && l.Contains(contains)));
}
