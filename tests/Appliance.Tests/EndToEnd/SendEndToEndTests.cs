using System.Text;
using System.Text.Json;
using Appliance.Client;
using Appliance.Common;
using Appliance.Provisioning;
using Appliance.Tests.Support;
using Grpc.Core;

namespace Appliance.Tests.EndToEnd;

/// <summary>
/// Bot → appliance → exchange: a real gRPC client with a client certificate over TLS hands the
/// appliance a request; the appliance signs it and sends it itself to the stand-in exchange, which
/// verifies the token as Upbit does. The bot gets Upbit's answer and never a token.
/// </summary>
public sealed class SendEndToEndTests : IAsyncLifetime
{
    private TestAppliance _appliance = null!;
    private ApplianceClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        // Cancel-all's real 1 per 2 s is tested in RefusalTests; here requests follow each other at once.
        _appliance = await TestAppliance.StartAsync(s => s with { Rates = s.Rates! with { CancelAllInterval = TimeSpan.FromMilliseconds(1) } });
        _client = _appliance.Client();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _appliance.DisposeAsync();
    }

    public static TheoryData<string, string, string[]> Requests => new()
    {
        { "GET", "/v1/accounts", [] },
        { "GET", "/v1/orders/open", ["market=KRW-BTC", "states[]=wait", "states[]=watch", "limit=10"] },
        { "GET", "/v1/orders/closed", ["market=KRW-BTC", "state=done", "start_time=2024-01-01T00:00:00+09:00", "limit=100"] },
        { "POST", "/v1/orders", ["market=KRW-BTC", "side=bid", "volume=0.01", "price=100000000", "ord_type=limit", "identifier=mine-1"] },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task Sent_request_reaches_exactly_the_judged_endpoint_and_the_answer_comes_back(string method, string path, string[] pairs)
    {
        var parameters = pairs.Select(p => p.Split('=', 2)).Select(p => new KeyValuePair<string, string>(p[0], p[1])).ToList();
        var answer = await _client.SendAsync(method, path, parameters);

        Assert.True(answer.HttpStatus is 200 or 201, answer.Body.ToStringUtf8());
        Assert.Equal("none", answer.Approval);
        Assert.Equal(32, answer.AuditId.Length);
        Assert.StartsWith("application/json", answer.Headers["content-type"]);
        var accepted = Assert.Single(_appliance.Exchange.Accepted);
        Assert.Equal(method, accepted.Method);
        Assert.Equal(path, accepted.Path);
        Assert.Equal(DemoSetup.AccessKey, accepted.AccessKey);
        Assert.Equal(pairs, accepted.Params.Select(p => $"{p.Key}={p.Value}"));
        Assert.Equal(accepted.StatusCode, answer.HttpStatus);
        Assert.Matches(@"^group=[a-z-]+; min=\d+; sec=\d+$", answer.Headers["remaining-req"]);
        using var body = JsonDocument.Parse(answer.Body.ToByteArray()); // the exchange's own JSON, as it sent it
        Assert.NotEqual(JsonValueKind.Undefined, body.RootElement.ValueKind);
    }

    [Fact]
    public async Task An_order_without_an_identifier_gets_one_so_the_bot_can_always_look_it_up()
    {
        var answer = await _client.SendAsync("POST", "/v1/orders",
            [new("market", "KRW-BTC"), new("side", "bid"), new("volume", "0.01"), new("price", "100000000"), new("ord_type", "limit")], requestId: "order-42");
        Assert.Equal(201, answer.HttpStatus);
        var sent = Assert.Single(_appliance.Exchange.Accepted);
        var identifier = Assert.Single(sent.Params, p => p.Key == "identifier").Value;
        Assert.Equal(Orders.OrderIdentifiers.Derive(DemoSetup.BotName, "order-42"), identifier);
    }

    [Fact]
    public async Task Cancel_all_needs_the_bots_own_markets_or_all_orders()
    {
        List<KeyValuePair<string, string>> cancelAll = [new("cancel_side", "all"), new("pairs", "KRW-BTC")];
        // The demo bot has no market list: a cancel-all would reach other bots' orders.
        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.OrderNotOwned,
            () => _client.SendAsync("DELETE", "/v1/orders/open", cancelAll));

        using var marketBot = new ApplianceClient(ApplianceBundle.Load(await _appliance.AddBotAsync(
            new BotRequest("btc-only", DemoSetup.CredentialName, ["trade"]) { Markets = ["KRW-BTC"] })), _appliance.Time, _appliance.Address);
        Assert.Equal(200, (await marketBot.SendAsync("DELETE", "/v1/orders/open", cancelAll)).HttpStatus);
        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.MarketDenied,
            () => marketBot.SendAsync("DELETE", "/v1/orders/open", [new("cancel_side", "all"), new("pairs", "KRW-BTC,KRW-ETH")]));
        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.MarketDenied,
            () => marketBot.SendAsync("DELETE", "/v1/orders/open", [new("cancel_side", "all")]));

        using var allOrders = new ApplianceClient(ApplianceBundle.Load(await _appliance.AddBotAsync(
            new BotRequest("sweeper", DemoSetup.CredentialName, ["trade"]) { AllOrders = true })), _appliance.Time, _appliance.Address);
        Assert.Equal(200, (await allOrders.SendAsync("DELETE", "/v1/orders/open", [new("cancel_side", "all")])).HttpStatus);
        Assert.Equal(2, _appliance.Exchange.Accepted.Count(a => a.Path == "/v1/orders/open"));
    }

    [Fact]
    public async Task Every_request_carries_a_fresh_nonce()
    {
        for (var i = 0; i < 5; i++) Assert.Equal(200, (await _client.SendAsync("GET", "/v1/accounts", [])).HttpStatus);
        Assert.Equal(5, _appliance.Exchange.Accepted.Select(a => a.Nonce).Distinct().Count());
    }

    [Fact]
    public async Task The_same_request_id_sends_once_and_returns_the_stored_answer()
    {
        var first = await _client.SendAsync("GET", "/v1/accounts", [], requestId: "same-id");
        var second = await _client.SendAsync("GET", "/v1/accounts", [], requestId: "same-id");
        Assert.False(first.Replayed);
        Assert.True(second.Replayed);
        Assert.Equal(first.Body, second.Body);
        Assert.Single(_appliance.Exchange.Accepted);

        // The same id on another request is refused, and nothing more is sent.
        await RpcRefusals.AssertRefused(StatusCode.AlreadyExists, Reasons.RequestIdReused,
            () => _client.SendAsync("GET", "/v1/orders/chance", [new("market", "KRW-BTC")], requestId: "same-id"));
        Assert.Single(_appliance.Exchange.Accepted);
    }

    [Fact]
    public async Task Concurrent_repeats_of_one_request_id_send_once()
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _client.SendAsync("GET", "/v1/accounts", [], requestId: "burst")));
        Assert.Single(_appliance.Exchange.Accepted);
        Assert.Equal(7, answers.Count(a => a.Replayed));
        Assert.All(answers, a => Assert.Equal(answers[0].Body, a.Body));
    }

    [Fact]
    public async Task Upbit_errors_come_back_as_answers_not_refusals()
    {
        // An access key the exchange does not know: Upbit answers 401 and the bot gets exactly that.
        await using var other = await TestAppliance.StartAsync(exchangeKnowsKeys: false);
        using var client = other.Client();
        var answer = await client.SendAsync("GET", "/v1/accounts", []);
        Assert.Equal(401, answer.HttpStatus);
        Assert.Contains("invalid_access_key", answer.Body.ToStringUtf8());
    }

    [Fact]
    public async Task Sign_is_refused_for_a_bot_without_detached()
    {
        await RpcRefusals.AssertRefused(StatusCode.FailedPrecondition, Reasons.DetachedNotAllowed,
            () => _client.SignAsync("GET", "/v1/accounts", []));
        await RpcRefusals.AssertRefused(StatusCode.FailedPrecondition, Reasons.DetachedNotAllowed,
            () => _client.SignWebSocketAsync());
        Assert.Empty(_appliance.Exchange.Accepted);
    }

    [Fact]
    public async Task GetStatus_reports_the_bot_and_the_software_token()
    {
        var status = await _client.GetStatusAsync();
        Assert.Equal("ready", status.State);
        Assert.True(status.SoftwareToken);
        Assert.Equal(DemoSetup.BotName, status.Bot);
        Assert.Contains(DemoSetup.CredentialName, status.Credentials);
    }
}
