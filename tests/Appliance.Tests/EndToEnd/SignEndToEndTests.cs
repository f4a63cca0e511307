using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Appliance.Client;
using Appliance.Provisioning;
using Appliance.Tests.FakeUpbit;

namespace Appliance.Tests.EndToEnd;

/// <summary>
/// Bot → appliance → exchange: a real gRPC client with a client certificate over TLS asks for a
/// signature, sends the request to the stand-in Upbit, and the stand-in verifies it as Upbit does.
/// </summary>
public sealed class SignEndToEndTests : IAsyncLifetime
{
    private TestAppliance _appliance = null!;
    private FakeUpbitServer _upbit = null!;
    private ApplianceClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _appliance = await TestAppliance.StartAsync();
        _upbit = await FakeUpbitServer.StartAsync();
        _upbit.AddKey(DemoSetup.AccessKey, TestAppliance.Secret);
        _client = _appliance.Client();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _upbit.DisposeAsync();
        await _appliance.DisposeAsync();
    }

    public static TheoryData<string, string, string[]> Requests => new()
    {
        { "GET", "/v1/accounts", [] },
        { "GET", "/v1/orders/open", ["market=KRW-BTC", "states[]=wait", "states[]=watch", "limit=10"] },
        { "GET", "/v1/orders/closed", ["market=KRW-BTC", "state=done", "start_time=2024-01-01T00:00:00+09:00", "limit=100"] },
        { "POST", "/v1/orders", ["market=KRW-BTC", "side=bid", "volume=0.01", "price=100000000", "ord_type=limit"] },
        { "DELETE", "/v1/orders/uuids", ["uuids[]=11111111-1111-4111-8111-111111111111", "uuids[]=22222222-2222-4222-8222-222222222222"] },
        { "DELETE", "/v1/orders/open", ["cancel_side=all", "pairs=KRW-BTC,KRW-ETH"] },
        { "DELETE", "/v1/order", ["uuid=11111111-1111-4111-8111-111111111111"] },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task Signed_request_is_accepted_by_the_exchange(string method, string path, string[] pairs)
    {
        var parameters = pairs.Select(p => p.Split('=', 2)).Select(p => new KeyValuePair<string, string>(p[0], p[1])).ToList();
        var signed = await _client.SignAsync(method, path, parameters);

        Assert.StartsWith("Bearer ", signed.Authorization);
        Assert.Equal("none", signed.Approval);
        Assert.Equal(32, signed.AuditId.Length);
        Assert.Equal(string.Join('&', pairs), signed.QueryString);

        using var http = new HttpClient { BaseAddress = _upbit.BaseAddress };
        var url = path + (signed.UrlQuery.Length > 0 ? "?" + signed.UrlQuery : "");
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        request.Headers.Authorization = AuthenticationHeaderValue.Parse(signed.Authorization);
        if (method == "POST") request.Content = new StringContent(signed.BodyJson, Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request);

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var accepted = Assert.Single(_upbit.Accepted);
        Assert.Equal(method, accepted.Method);
        Assert.Equal(path, accepted.Path);
        Assert.Equal(DemoSetup.AccessKey, accepted.AccessKey);
    }

    [Fact]
    public async Task Signing_handler_signs_ordinary_HttpClient_requests()
    {
        using var handler = new UpbitSigningHandler(_client) { InnerHandler = new HttpClientHandler() };
        using var http = new HttpClient(handler) { BaseAddress = _upbit.BaseAddress };

        using var get = await http.GetAsync("/v1/orders/open?market=KRW-BTC&states[]=wait&states[]=watch");
        using var post = await http.PostAsync("/v1/orders", new StringContent(
            """{"market":"KRW-ETH","side":"ask","volume":"0.5","price":"4000000","ord_type":"limit"}""", Encoding.UTF8, "application/json"));

        Assert.True(get.IsSuccessStatusCode, await get.Content.ReadAsStringAsync());
        Assert.True(post.IsSuccessStatusCode, await post.Content.ReadAsStringAsync());
        Assert.Equal(2, _upbit.Accepted.Count);
    }

    [Fact]
    public async Task Every_token_has_a_fresh_nonce()
    {
        for (var i = 0; i < 5; i++)
        {
            var signed = await _client.SignAsync("GET", "/v1/accounts", []);
            using var http = new HttpClient { BaseAddress = _upbit.BaseAddress };
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/accounts");
            request.Headers.Authorization = AuthenticationHeaderValue.Parse(signed.Authorization);
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Equal(5, _upbit.Accepted.Select(a => a.Nonce).Distinct().Count());
    }

    [Fact]
    public async Task WebSocket_token_carries_access_key_and_nonce_only()
    {
        var signed = await _client.SignWebSocketAsync();
        var payload = signed.Authorization["Bearer ".Length..].Split('.')[1];
        var json = Encoding.UTF8.GetString(Convert.FromBase64String(payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=').Replace('-', '+').Replace('_', '/')));
        Assert.Contains("\"access_key\":\"demo-access-key\"", json);
        Assert.DoesNotContain("query_hash", json);
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
