using System.Net;
using System.Text.Json;
using Appliance.Client;
using Appliance.Common;
using Appliance.Front;
using Appliance.Provisioning;
using Appliance.Tests.EndToEnd;

namespace Appliance.Tests.Front;

/// <summary>
/// The HTTPS front with the .NET client (ApplianceHttp.CreateClient: the bundle's certificate, the
/// bundle's CA only): Upbit requests written as for api.upbit.com reach the stand-in exchange exactly
/// as judged, over HTTP/2 and HTTP/1.1, with the appliance's own token and never the bot's headers.
/// </summary>
public sealed class FrontEndToEndTests : IAsyncLifetime
{
    private TestAppliance _appliance = null!;

    public async ValueTask InitializeAsync() => _appliance = await TestAppliance.StartAsync();

    public async ValueTask DisposeAsync() => await _appliance.DisposeAsync();

    [Theory]
    [InlineData("2.0")]
    [InlineData("1.1")]
    public async Task Balance_order_listing_and_cancel_reach_exactly_the_judged_endpoints(string version)
    {
        using var http = FrontHttp.Client(_appliance);
        http.DefaultRequestVersion = Version.Parse(version);
        http.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;

        using var balance = await http.GetAsync("/v1/accounts");
        Assert.Equal(HttpStatusCode.OK, balance.StatusCode);
        Assert.Equal(Version.Parse(version), balance.Version);
        Assert.True(balance.Headers.Contains("Remaining-Req"), "Upbit's Remaining-Req reaches the bot");
        Assert.True(balance.Headers.Contains(FrontAnswers.AuditIdHeader));
        Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(await balance.Content.ReadAsStringAsync()).RootElement.ValueKind);

        using var placed = await http.PostJson("/v1/orders",
            """{"market":"KRW-BTC","side":"bid","volume":"0.01","price":"100000000","ord_type":"limit"}""");
        var order = await placed.Content.ReadAsStringAsync();
        Assert.True(placed.StatusCode == HttpStatusCode.Created, order);
        var uuid = JsonDocument.Parse(order).RootElement.GetProperty("uuid").GetString();

        using var open = await http.GetAsync("/v1/orders/open?market=KRW-BTC&states[]=wait&states[]=watch");
        Assert.Contains(uuid!, await open.Content.ReadAsStringAsync());

        using var cancel = await http.DeleteAsync($"/v1/order?uuid={uuid}");
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);

        Assert.Equal(
            [("GET", "/v1/accounts"), ("POST", "/v1/orders"), ("GET", "/v1/orders/open"), ("DELETE", "/v1/order")],
            _appliance.Exchange.Accepted.Select(a => (a.Method, a.Path)));
        Assert.Equal([new("market", "KRW-BTC"), new("states[]", "wait"), new("states[]", "watch")], _appliance.Exchange.Accepted[2].Params);
        Assert.All(_appliance.Exchange.Accepted, a => Assert.Equal(DemoSetup.AccessKey, a.AccessKey));
    }

    [Fact]
    public async Task The_bots_authorization_is_ignored_and_origin_is_never_forwarded()
    {
        using var http = FrontHttp.Client(_appliance);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/accounts");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer eyJhbGciOiJub25lIn0.eyJhY2Nlc3Nfa2V5IjoiYXR0YWNrZXIifQ.");
        request.Headers.TryAddWithoutValidation("Origin", "https://evil.example");
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.7");
        using var answer = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var sent = Assert.Single(_appliance.Exchange.Accepted);
        Assert.Equal(DemoSetup.AccessKey, sent.AccessKey); // the appliance's own token, not the bot's
        Assert.Contains("authorization", sent.HeaderNames);
        Assert.DoesNotContain("origin", sent.HeaderNames);
        Assert.DoesNotContain("x-forwarded-for", sent.HeaderNames);
    }

    [Fact]
    public async Task Raw_http_1_1_is_served()
    {
        var (status, answer) = await FrontHttp.RawHttp1Async(_appliance, "GET /v1/accounts HTTP/1.1");
        Assert.True(status == 200, answer);
        Assert.Contains("Remaining-Req", answer, StringComparison.OrdinalIgnoreCase);
        Assert.Single(_appliance.Exchange.Accepted);
    }

    [Fact]
    public async Task The_same_x_request_id_sends_once_and_another_request_under_it_is_409()
    {
        using var http = FrontHttp.Client(_appliance);
        using var first = await http.Send(HttpMethod.Get, "/v1/accounts", requestId: "front-once");
        using var second = await http.Send(HttpMethod.Get, "/v1/accounts", requestId: "front-once");
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Single(_appliance.Exchange.Accepted);

        using var reused = await http.Send(HttpMethod.Get, "/v1/orders/chance?market=KRW-BTC", requestId: "front-once");
        await FrontHttp.AssertRefused(reused, 409, Reasons.RequestIdReused);
        Assert.Single(_appliance.Exchange.Accepted);
    }

    [Fact]
    public async Task Unknown_endpoint_and_non_upbit_methods_are_refused_without_sending()
    {
        using var http = FrontHttp.Client(_appliance);
        using var unknown = await http.GetAsync("/v1/nope");
        await FrontHttp.AssertRefused(unknown, 400, Reasons.UnknownEndpoint);
        using var put = await http.PutAsync("/v1/orders", new StringContent("{}"));
        await FrontHttp.AssertRefused(put, 400, Reasons.UnknownEndpoint);
        Assert.Empty(_appliance.Exchange.Accepted);
    }

    [Fact]
    public async Task The_client_factory_uses_the_bundle_endpoint_and_a_strangers_bundle_gets_nothing()
    {
        using var bundle = ApplianceBundle.Load(_appliance.BundleDir);
        using var byBundle = ApplianceHttp.CreateClient(bundle);
        Assert.Equal(bundle.Endpoint, byBundle.BaseAddress);
        Assert.True(byBundle.Timeout > TimeSpan.FromSeconds(60), "above the approval timeout");

        // Another appliance's bundle: neither side vouches for the other, so the handshake fails.
        await using var other = await TestAppliance.StartAsync();
        using var stranger = ApplianceHttp.CreateClient(ApplianceBundle.Load(other.BundleDir), _appliance.Address);
        await Assert.ThrowsAsync<HttpRequestException>(() => stranger.GetAsync("/v1/accounts"));
        Assert.Empty(_appliance.Exchange.Accepted);
    }
}
