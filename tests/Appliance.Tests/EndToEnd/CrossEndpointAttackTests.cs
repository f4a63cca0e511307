using System.Net;
using System.Text;
using System.Text.Json;
using Appliance.Common;
using Appliance.Provisioning;
using Appliance.Sealing;
using Appliance.Tests.Front;
using Appliance.Tests.Support;
using Grpc.Core;

namespace Appliance.Tests.EndToEnd;

/// <summary>
/// Issue 8's attacks, made as an attacker holding a bot's certificate would. Upbit's token names no
/// method and no path, so a token for one endpoint works on every endpoint with the same parameters;
/// the appliance therefore never hands out a token (Sign is refused unless the bot is --detached) and
/// sends each request itself, exactly as judged. The credential here can do everything the attacks
/// want; only the bot's own policy stands in the way, through the front and through Send alike, and
/// nothing reaches the exchange.
/// </summary>
public sealed class CrossEndpointAttackTests : IAsyncLifetime
{
    private const string Wide = "wide";
    private const string WideAccessKey = "wide-access-key";
    private TestAppliance _appliance = null!;

    public async ValueTask InitializeAsync()
    {
        _appliance = await TestAppliance.StartAsync(prepare: data =>
        {
            using var secret = SecretBytes.TakeFrom(Encoding.UTF8.GetBytes(TestAppliance.Secret));
            new CredentialProvisioning(data, TimeProvider.System).Add(Wide, WideAccessKey, ApprovalMode.Button,
                ["view-assets", "view-orders", "trade", "trade-test", "view-withdrawals", "withdraw", "view-deposits", "deposit"], null, secret);
        });
        _appliance.Exchange.AddKey(WideAccessKey, TestAppliance.Secret);
    }

    public async ValueTask DisposeAsync() => await _appliance.DisposeAsync();

    private const string SomeUuid = "9f432943-54e0-40b7-825f-b6fec8b42b79";

    /// <summary>(bot scopes, the call the bot may make, the attack a token for it would allow at Upbit).</summary>
    public static TheoryData<string, string, string, string> Attacks => new()
    {
        // A token for GET /v1/accounts (no parameters) cancels every open order.
        { "view-assets", "GET /v1/accounts", "DELETE /v1/orders/open", "" },
        // A token for GET /v1/order uuid=X cancels order X, or a pending withdrawal X.
        { "view-orders", $"GET /v1/order uuid={SomeUuid}", "DELETE /v1/order", $"uuid={SomeUuid}" },
        { "view-orders", $"GET /v1/order uuid={SomeUuid}", "DELETE /v1/withdraws/coin", $"uuid={SomeUuid}" },
        // A token for POST /v1/orders/test places the real order.
        { "trade-test", "POST /v1/orders/test market=KRW-BTC&side=bid&volume=0.01&price=100000000&ord_type=limit",
            "POST /v1/orders", "market=KRW-BTC&side=bid&volume=0.01&price=100000000&ord_type=limit" },
        // A token for POST /v1/deposits/krw withdraws KRW. (deposits/krw itself now waits for the panel, being in an
        // approval tier; the deposit bot's call that goes straight out is a coin address.)
        { "deposit", "POST /v1/deposits/generate_coin_address currency=BTC&net_type=BTC", "POST /v1/withdraws/krw", "amount=10000&two_factor_type=kakao" },
    };

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task A_bot_certificate_reaches_only_what_its_policy_allows_and_never_holds_a_token(
        string scope, string allowed, string attack, string attackParams)
    {
        var bot = $"{scope}-{Guid.NewGuid().ToString("N")[..6]}";
        // --all-orders: the viewer may look up any order (so its lookup is sent); it still may not cancel one.
        var bundle = await _appliance.AddBotAsync(new BotRequest(bot, Wide, [scope]) { AllOrders = scope == "view-orders" });
        using var http = FrontHttp.Client(_appliance, bundle);
        using var client = _appliance.Client(bundle);
        var (attackMethod, attackPath) = Split(attack);
        var attackPairs = Pairs(attackParams);

        // Through the front and through Send: refused by the bot's scopes, as Upbit would refuse it.
        using (var answer = await http.SendAsync(FrontRequest(attackMethod, attackPath, attackPairs)))
        {
            var body = await FrontHttp.AssertRefused(answer, 403, Reasons.ScopeDenied);
            Assert.EndsWith("(out_of_scope)", JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("message").GetString());
        }
        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.ScopeDenied, () => client.SendAsync(attackMethod, attackPath, attackPairs));

        // No token for the call it may make, nor for the private WebSocket: a token would carry the attack.
        var (allowedMethod, allowedRest) = Split(allowed);
        var allowedPath = allowedRest.Split(' ')[0];
        var allowedPairs = Pairs(allowedRest.Contains(' ') ? allowedRest.Split(' ', 2)[1] : "");
        await RpcRefusals.AssertRefused(StatusCode.FailedPrecondition, Reasons.DetachedNotAllowed, () => client.SignAsync(allowedMethod, allowedPath, allowedPairs));
        await RpcRefusals.AssertRefused(StatusCode.FailedPrecondition, Reasons.DetachedNotAllowed, () => client.SignWebSocketAsync());
        await RpcRefusals.AssertRefused(StatusCode.FailedPrecondition, Reasons.DetachedNotAllowed, () => client.SignAsync(attackMethod, attackPath, attackPairs));
        Assert.Empty(_appliance.Exchange.Accepted);
        Assert.Empty(_appliance.Exchange.Rejected);

        // What it may do, it does, and exactly that reaches the exchange.
        var sent = await client.SendAsync(allowedMethod, allowedPath, allowedPairs);
        Assert.True(sent.HttpStatus > 0);
        var reached = Assert.Single(_appliance.Exchange.Accepted);
        Assert.Equal((allowedMethod, allowedPath), (reached.Method, reached.Path));
    }

    [Fact]
    public async Task Bot_a_cannot_look_up_or_cancel_bot_bs_order()
    {
        var owner = await _appliance.AddBotAsync(new BotRequest("owner-" + Guid.NewGuid().ToString("N")[..6], Wide, ["trade", "view-orders"]));
        var other = await _appliance.AddBotAsync(new BotRequest("other-" + Guid.NewGuid().ToString("N")[..6], Wide, ["trade", "view-orders"]));
        using var ownerHttp = FrontHttp.Client(_appliance, owner);
        using var otherHttp = FrontHttp.Client(_appliance, other);
        using var otherClient = _appliance.Client(other);

        using var placed = await ownerHttp.PostJson("/v1/orders", """{"market":"KRW-BTC","side":"bid","volume":"0.01","price":"100000000","ord_type":"limit"}""");
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        using var order = JsonDocument.Parse(await placed.Content.ReadAsStringAsync());
        var uuid = order.RootElement.GetProperty("uuid").GetString()!;
        var identifier = order.RootElement.GetProperty("identifier").GetString()!;

        foreach (var (method, target) in new[]
        {
            (HttpMethod.Delete, $"/v1/order?uuid={uuid}"),
            (HttpMethod.Delete, $"/v1/order?identifier={identifier}"),
            (HttpMethod.Get, $"/v1/order?uuid={uuid}"),
            (HttpMethod.Delete, $"/v1/orders/uuids?uuids[]={uuid}"),
        })
        {
            using var answer = await otherHttp.Send(method, target);
            await FrontHttp.AssertRefused(answer, 403, Reasons.OrderNotOwned);
        }
        using (var replace = await otherHttp.PostJson("/v1/orders/cancel_and_new",
            $$"""{"prev_order_uuid":"{{uuid}}","new_ord_type":"limit","new_price":"90000000","new_volume":"0.01"}"""))
            await FrontHttp.AssertRefused(replace, 403, Reasons.OrderNotOwned);
        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.OrderNotOwned,
            () => otherClient.SendAsync("DELETE", "/v1/order", [new("uuid", uuid)]));

        using var cancelled = await ownerHttp.DeleteAsync($"/v1/order?uuid={uuid}");
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal([("POST", "/v1/orders"), ("DELETE", "/v1/order")], _appliance.Exchange.Accepted.Select(a => (a.Method, a.Path)));
    }

    [Fact]
    public async Task A_market_bound_bot_cannot_cancel_all_or_list_outside_its_markets()
    {
        var bot = await _appliance.AddBotAsync(new BotRequest("btc-" + Guid.NewGuid().ToString("N")[..6], Wide, ["trade", "view-orders"]) { Markets = ["KRW-BTC"] });
        using var http = FrontHttp.Client(_appliance, bot);
        foreach (var target in new[]
        {
            "/v1/orders/open?cancel_side=all",
            "/v1/orders/open?cancel_side=all&pairs=KRW-ETH",
            "/v1/orders/open?cancel_side=all&pairs=KRW-BTC,KRW-ETH",
            "/v1/orders/open?cancel_side=all&pairs=KRW-BTC&quote_currencies=KRW",
        })
        {
            using var refused = await http.DeleteAsync(target);
            await FrontHttp.AssertRefused(refused, 403, Reasons.MarketDenied);
        }
        using (var listing = await http.GetAsync("/v1/orders/open?market=KRW-ETH"))
            await FrontHttp.AssertRefused(listing, 403, Reasons.MarketDenied);
        Assert.Empty(_appliance.Exchange.Accepted);

        using var own = await http.DeleteAsync("/v1/orders/open?cancel_side=all&pairs=KRW-BTC");
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(("DELETE", "/v1/orders/open"), (Assert.Single(_appliance.Exchange.Accepted).Method, _appliance.Exchange.Accepted[0].Path));
    }

    private static (string Method, string Remainder) Split(string call) => (call.Split(' ', 2)[0], call.Split(' ', 2)[1]);

    private static List<KeyValuePair<string, string>> Pairs(string query) =>
        query.Length == 0 ? [] : [.. query.Split('&').Select(p => p.Split('=', 2)).Select(p => new KeyValuePair<string, string>(p[0], p[1]))];

    private static HttpRequestMessage FrontRequest(string method, string path, List<KeyValuePair<string, string>> pairs)
    {
        if (method == "POST")
            return new HttpRequestMessage(HttpMethod.Post, path)
            {
                Content = new StringContent(JsonSerializer.Serialize(pairs.ToDictionary(p => p.Key, p => p.Value)), Encoding.UTF8, "application/json"),
            };
        var query = string.Join('&', pairs.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        return new HttpRequestMessage(new HttpMethod(method), query.Length == 0 ? path : $"{path}?{query}");
    }
}
