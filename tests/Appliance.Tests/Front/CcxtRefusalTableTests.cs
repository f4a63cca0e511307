using System.Text.Json;
using Appliance.Common;
using Appliance.Front;
using Appliance.StandIn;
using Appliance.Tests.EndToEnd;
using Appliance.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tests.Front;

/// <summary>
/// Every row of the front's refusal table (README, FrontAnswers) makes stock ccxt 4.5.84 raise the
/// exception a bot already handles, and carries X-Appliance-Reason. Each row is caused for real (bad
/// parameter, policy, an expired bot certificate, a reused request id, the rate guard, a pause, a lost
/// answer) and read back by ccxt itself through examples/node/ccxt_front.js, via Front/ccxt_call.js.
/// </summary>
public sealed class CcxtRefusalTableTests
{
    private sealed record CcxtOutcome(string Class, string Message, IReadOnlyDictionary<string, string> Headers)
    {
        public string Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var v) ? v : "";
    }

    private static async Task<CcxtOutcome> Ccxt(TestAppliance appliance, string method, string json = "{}", params string[] headers)
    {
        List<string> args = [Path.Combine(ExternalClients.Repo, "tests", "Appliance.Tests", "Front", "ccxt_call.js"),
            "--bundle", appliance.BundleDir, "--front", appliance.Address.ToString()];
        foreach (var h in headers) args.AddRange(["--header", h]);
        args.AddRange([method, json]);
        var (_, output) = await ExternalClients.RunAsync("node", args, TimeSpan.FromSeconds(60));
        var line = output.Split('\n').LastOrDefault(l => l.StartsWith('{')) ?? throw new InvalidOperationException($"ccxt printed no answer: {output}");
        var root = JsonDocument.Parse(line).RootElement;
        Assert.False(root.TryGetProperty("ok", out _), $"ccxt raised nothing: {line}");
        var answerHeaders = root.GetProperty("headers").EnumerateObject().ToDictionary(p => p.Name.ToLowerInvariant(), p => p.Value.ToString());
        return new CcxtOutcome(root.GetProperty("class").GetString()!, root.GetProperty("message").GetString()!, answerHeaders);
    }

    private static void AssertRow(CcxtOutcome outcome, string ccxtClass, string reason)
    {
        Assert.True(ccxtClass == outcome.Class, $"expected {ccxtClass}, ccxt raised {outcome.Class}: {outcome.Message}");
        Assert.Equal(reason, outcome.Header(FrontAnswers.ReasonHeader));
    }

    [Fact]
    public async Task Invalid_argument_is_400_and_ExchangeError()
    {
        ExternalClients.RequireCcxt();
        await using var appliance = await TestAppliance.StartAsync();
        AssertRow(await Ccxt(appliance, "privateGetAccounts", """{"foo":"bar"}"""), "ExchangeError", Reasons.UnknownParam);
        Assert.Empty(appliance.Exchange.Accepted);
    }

    [Fact]
    public async Task Permission_denied_is_403_out_of_scope_and_PermissionDenied()
    {
        ExternalClients.RequireCcxt();
        await using var appliance = await TestAppliance.StartAsync();
        // The demo bot has no market list and no --all-orders: a cancel-all would reach other bots' orders.
        var outcome = await Ccxt(appliance, "privateDeleteOrdersOpen", """{"cancel_side":"all"}""");
        AssertRow(outcome, "PermissionDenied", Reasons.OrderNotOwned);
        Assert.Contains("(out_of_scope)", outcome.Message);
        Assert.Empty(appliance.Exchange.Accepted);
    }

    [Fact]
    public async Task Already_exists_is_409_and_ExchangeError()
    {
        ExternalClients.RequireCcxt();
        await using var appliance = await TestAppliance.StartAsync();
        using (var http = FrontHttp.Client(appliance))
        using (var first = await http.Send(HttpMethod.Get, "/v1/accounts", requestId: "ccxt-reused"))
            Assert.True(first.IsSuccessStatusCode);
        AssertRow(await Ccxt(appliance, "privateGetOrdersChance", """{"market":"KRW-BTC"}""", "X-Request-Id=ccxt-reused"),
            "ExchangeError", Reasons.RequestIdReused);
        Assert.Single(appliance.Exchange.Accepted);
    }

    [Fact]
    public async Task Paused_is_503_plain_text_and_ExchangeNotAvailable()
    {
        ExternalClients.RequireCcxt();
        await using var appliance = await TestAppliance.StartAsync();
        appliance.Server.State.Paused = true;
        AssertRow(await Ccxt(appliance, "privateGetAccounts"), "ExchangeNotAvailable", Reasons.Paused);
        Assert.Empty(appliance.Exchange.Accepted);
    }

    [Fact]
    public async Task Upstream_unreachable_is_503_not_sent_and_ExchangeNotAvailable()
    {
        ExternalClients.RequireCcxt();
        // Upbit cannot be reached at all (nothing listens where upbit_url points): nothing was sent, so a retry is safe.
        var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        await using var appliance = await TestAppliance.StartAsync(s => s with { UpbitUrl = $"http://127.0.0.1:{port}/" });
        var outcome = await Ccxt(appliance, "privatePostOrders",
            """{"market":"KRW-BTC","side":"bid","volume":"0.01","price":"100000000","ord_type":"limit"}""");
        AssertRow(outcome, "ExchangeNotAvailable", Reasons.UpstreamUnavailable);
        Assert.Empty(appliance.Exchange.Accepted);
    }

    [Fact]
    public async Task Outcome_unknown_is_504_with_the_identifier_and_RequestTimeout()
    {
        ExternalClients.RequireCcxt();
        await using var appliance = await TestAppliance.StartAsync();
        // The exchange takes the order, then the connection dies before the answer: sent, outcome unknown.
        appliance.Exchange.Exchange.Faults.Add(StandInFault.DropConnection(path: "/v1/orders"));
        var outcome = await Ccxt(appliance, "privatePostOrders",
            """{"market":"KRW-BTC","side":"bid","volume":"0.01","price":"100000000","ord_type":"limit"}""");
        AssertRow(outcome, "RequestTimeout", Reasons.OutcomeUnknown);
        var placed = Assert.Single(appliance.Exchange.Accepted);
        var identifier = Assert.Single(placed.Params, p => p.Key == "identifier").Value;
        Assert.Equal(identifier, outcome.Header(FrontAnswers.IdentifierHeader)); // the bot can look the order up
    }

    [Fact]
    public async Task Rate_limited_is_429_with_retry_after_and_RateLimitExceeded()
    {
        ExternalClients.RequireCcxt();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var appliance = await TestAppliance.StartAsync(time: time);
        appliance.Exchange.Exchange.Faults.Add(StandInFault.Blocked(retryAfterSeconds: 60, path: "/v1/accounts"));
        using (var http = FrontHttp.Client(appliance))
        using (var banned = await http.GetAsync("/v1/accounts"))
            Assert.Equal(418, (int)banned.StatusCode);
        var outcome = await Ccxt(appliance, "privateGetAccounts");
        AssertRow(outcome, "RateLimitExceeded", Reasons.RateLimited);
        Assert.Equal("60", outcome.Header("Retry-After"));
        Assert.Empty(appliance.Exchange.Accepted);
    }

    [Fact]
    public async Task Unauthenticated_is_401_invalid_access_key_and_AuthenticationError()
    {
        ExternalClients.RequireCcxt();
        // The demo bot's certificate was issued 400 days ago and has run out: known, but no longer admitted.
        var past = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromDays(400));
        await using var appliance = await TestAppliance.StartAsync(setupTime: past);
        var outcome = await Ccxt(appliance, "privateGetAccounts");
        AssertRow(outcome, "AuthenticationError", Reasons.BotRevoked);
        Assert.Contains("(invalid_access_key)", outcome.Message);
        Assert.Empty(appliance.Exchange.Accepted);
    }
}
