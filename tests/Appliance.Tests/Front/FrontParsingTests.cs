using System.Net;
using Appliance.Approval;
using Appliance.Common;
using Appliance.Provisioning;
using Appliance.StandIn;
using Appliance.Tests.Approval;
using Appliance.Tests.EndToEnd;
using Appliance.Tests.Support;
using Grpc.Core;

namespace Appliance.Tests.Front;

/// <summary>
/// The front reads strictly: what two parsers could read differently is refused, numbers are rebuilt as
/// Upbit hashes them, and what comes back from upstream is capped. A refused request reaches nobody.
/// </summary>
public sealed class FrontParsingTests : IAsyncLifetime
{
    private TestAppliance _appliance = null!;

    public async ValueTask InitializeAsync() => _appliance = await TestAppliance.StartAsync();

    public async ValueTask DisposeAsync() => await _appliance.DisposeAsync();

    [Theory]
    [InlineData("/v1/orders/../accounts", Reasons.MalformedRequest)] // Kestrel would serve /v1/accounts
    [InlineData("/v1/./accounts", Reasons.MalformedRequest)]
    [InlineData("/v1/%61ccounts", Reasons.MalformedRequest)]
    // Kestrel keeps these as they are; no Upbit path looks like them.
    [InlineData("/v1//accounts", Reasons.UnknownEndpoint)]
    [InlineData("/v1/orders%2F..%2Faccounts", Reasons.UnknownEndpoint)]
    public async Task A_raw_target_that_is_not_its_normalized_path_is_refused(string target, string reason)
    {
        var (status, answer) = await FrontHttp.RawHttp1Async(_appliance, $"GET {target} HTTP/1.1");
        Assert.True(status == 400, answer);
        Assert.True(answer.Contains($"X-Appliance-Reason: {reason}", StringComparison.OrdinalIgnoreCase), answer);
        Assert.Empty(_appliance.Exchange.Accepted);
        Assert.Empty(_appliance.Exchange.Rejected);
    }

    [Theory]
    [InlineData("/v1/orders/open?market=KRW-BTC&states[]=wait+watch")]
    [InlineData("/v1/order?uuid=a+b")]
    public async Task A_raw_plus_in_the_query_is_refused(string target)
    {
        using var http = FrontHttp.Client(_appliance);
        using var answer = await http.GetAsync(target);
        var body = await FrontHttp.AssertRefused(answer, 400, Reasons.MalformedRequest);
        Assert.Contains("%2B", body);
        Assert.Empty(_appliance.Exchange.Accepted);
    }

    [Fact]
    public async Task Exponent_numbers_in_a_body_are_sent_as_plain_decimal()
    {
        using var http = FrontHttp.Client(_appliance);
        using var answer = await http.PostJson("/v1/orders", """{"market":"KRW-BTC","side":"bid","ord_type":"limit","price":1E8,"volume":1e-2}""");
        Assert.True(answer.StatusCode == HttpStatusCode.Created, await answer.Content.ReadAsStringAsync());
        var sent = Assert.Single(_appliance.Exchange.Accepted); // the stand-in checked query_hash over these exact values
        Assert.Equal("100000000", Assert.Single(sent.Params, p => p.Key == "price").Value);
        Assert.Equal("0.01", Assert.Single(sent.Params, p => p.Key == "volume").Value);
    }

    [Fact]
    public async Task Ccxt_numbered_arrays_are_sent_as_upbit_arrays()
    {
        using var http = FrontHttp.Client(_appliance);
        using var answer = await http.GetAsync("/v1/orders/open?market=KRW-BTC&states%5B0%5D=wait&states%5B1%5D=watch");
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal([new("market", "KRW-BTC"), new("states[]", "wait"), new("states[]", "watch")], Assert.Single(_appliance.Exchange.Accepted).Params);
    }

    [Theory]
    [InlineData("GET /v1/accounts HTTP/1.1\r\nContent-Type: application/json", "{\"a\":\"b\"}")] // a GET with a body
    [InlineData("POST /v1/orders?market=KRW-BTC HTTP/1.1\r\nContent-Type: application/json", "{}")] // a POST with a query
    [InlineData("POST /v1/orders HTTP/1.1\r\nContent-Type: text/plain", "market=KRW-BTC")]
    [InlineData("POST /v1/orders HTTP/1.1\r\nContent-Type: application/json", "{\"market\":{\"nested\":1}}")]
    [InlineData("POST /v1/orders HTTP/1.1\r\nContent-Type: application/json", "{\"market\":\"KRW-BTC\"} {}")]
    public async Task Bodies_and_queries_in_the_wrong_place_or_shape_are_refused(string head, string body)
    {
        var (status, answer) = await FrontHttp.RawHttp1Async(_appliance, head, body);
        Assert.True(status == 400, answer);
        Assert.Contains($"X-Appliance-Reason: {Reasons.MalformedRequest}", answer, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(_appliance.Exchange.Accepted);
    }

    [Fact]
    public async Task An_upstream_answer_above_4_MiB_is_UPSTREAM_TOO_LARGE_and_recorded_as_the_outcome()
    {
        var bot = "big-" + Guid.NewGuid().ToString("N")[..8];
        using var records = new SignRecords(bot);
        var bundle = await _appliance.AddBotAsync(new BotRequest(bot, DemoSetup.CredentialName, ["view-assets"]));
        using var http = FrontHttp.Client(_appliance, bundle);
        using var client = _appliance.Client(bundle);

        _appliance.Exchange.Exchange.Faults.Add(StandInFault.OversizedBody(3, path: "/v1/accounts"));
        using (var under = await http.GetAsync("/v1/accounts"))
            Assert.Equal(HttpStatusCode.OK, under.StatusCode); // 3 MiB passes

        _appliance.Exchange.Exchange.Faults.Add(StandInFault.OversizedBody(5, count: 2, path: "/v1/accounts"));
        using (var over = await http.GetAsync("/v1/accounts"))
            await FrontHttp.AssertRefused(over, 502, Reasons.UpstreamTooLarge);
        await RpcRefusals.AssertRefused(StatusCode.Unavailable, Reasons.UpstreamTooLarge, () => client.SendAsync("GET", "/v1/accounts", []));

        var all = await records.WaitFor(3);
        Assert.Equal(["sent", "failed", "failed"], all.Select(r => r.Outcome));
        Assert.Equal(Reasons.UpstreamTooLarge, all[1].Reason);
        Assert.Equal(Reasons.UpstreamTooLarge, all[2].Reason);
    }
}
