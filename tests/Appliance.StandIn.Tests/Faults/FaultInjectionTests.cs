using System.Diagnostics;
using System.Net;
using static Appliance.StandIn.Tests.StandInClient;

namespace Appliance.StandIn.Tests.Faults;

/// <summary>Injected faults: throttling before the exchange acts, and lost or odd answers after it acted.</summary>
public sealed class FaultInjectionTests
{
    [Fact]
    public async Task TooManyRequestsIsPlainTextAndLeavesTheNonceUnused()
    {
        await using var ex = await TestExchange.StartAsync();
        ex.Faults.Add(StandInFault.TooManyRequests(count: 2, path: "/v1/accounts"));
        var jwt = HandMadeJwt.ForRequest(TestExchange.AccessKey, TestExchange.Secret, null);

        var other = await SendAsync(ex, "GET", "/v1/api_keys", null, HandMadeJwt.ForRequest(TestExchange.AccessKey, TestExchange.Secret, null));
        var first = await SendAsync(ex, "GET", "/v1/accounts", null, jwt);
        var second = await SendAsync(ex, "GET", "/v1/accounts", null, jwt);
        var third = await SendAsync(ex, "GET", "/v1/accounts", null, jwt);

        Assert.Equal(HttpStatusCode.OK, other.Status); // another path is not affected
        Assert.Equal((HttpStatusCode.TooManyRequests, "text/plain; charset=utf-8", null), (first.Status, first.ContentType, first.ErrorName));
        Assert.StartsWith("group=default; min=1800; sec=", first.RemainingReq);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.Status);
        Assert.True(third.Status == HttpStatusCode.OK, third.Body); // same token: a throttled request never reached the nonce check
        Assert.Equal(2, ex.Faulted.Count);
        Assert.All(ex.Faulted, f => Assert.Equal((StandInFaultKind.TooManyRequests, 429, "/v1/accounts"), (f.Fault, f.StatusCode, f.Path)));
        Assert.Equal(0, ex.Faults.Pending);
    }

    [Fact]
    public async Task BlockedIs418WithRetryAfter()
    {
        await using var ex = await TestExchange.StartAsync();
        ex.Faults.Add(StandInFault.Blocked(retryAfterSeconds: 7, method: "POST"));
        using var http = new HttpClient { BaseAddress = ex.BaseAddress };

        using var get = await http.GetAsync("/v1/market/all");
        using var post = await http.PostAsync("/v1/orders", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal((HttpStatusCode)418, post.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), post.Headers.RetryAfter?.Delta);
        Assert.Equal("text/plain", post.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ServerErrorThenNormalService()
    {
        await using var ex = await TestExchange.StartAsync();
        ex.Faults.Add(StandInFault.ServerError());

        var failed = await CallAsync(ex, "GET", "/v1/accounts");
        var ok = await CallAsync(ex, "GET", "/v1/accounts");

        Assert.Equal((HttpStatusCode.InternalServerError, HttpStatusCode.OK), (failed.Status, ok.Status));
    }

    [Fact]
    public async Task DroppedConnectionLosesTheAnswerButTheOrderExists()
    {
        await using var ex = await TestExchange.StartAsync();
        ex.Faults.Add(StandInFault.DropConnection(path: "/v1/orders"));

        await Assert.ThrowsAsync<HttpRequestException>(() => CallAsync(ex, "POST", "/v1/orders",
            ("market", "KRW-BTC"), ("side", "bid"), ("volume", "0.01"), ("price", "90000000"), ("ord_type", "limit"), ("identifier", "lost-answer")));

        var accepted = Assert.Single(ex.Accepted);
        Assert.Equal((201, StandInFaultKind.DropConnection), (accepted.StatusCode, accepted.Fault));
        var order = await CallAsync(ex, "GET", "/v1/order", ("identifier", "lost-answer"));
        Assert.True(order.IsSuccess, order.Body);
        Assert.Equal("wait", order.Json().GetProperty("state").GetString());
        var retry = await CallAsync(ex, "POST", "/v1/orders",
            ("market", "KRW-BTC"), ("side", "bid"), ("volume", "0.01"), ("price", "90000000"), ("ord_type", "limit"), ("identifier", "lost-answer"));
        Assert.Equal(UpbitErrorNames.ValidationError, retry.ErrorName); // a blind retry with the same identifier cannot double the order
    }

    [Fact]
    public async Task DelayHoldsTheAnswer()
    {
        await using var ex = await TestExchange.StartAsync();
        ex.Faults.Add(StandInFault.Delayed(TimeSpan.FromMilliseconds(400)));
        var clock = Stopwatch.StartNew();

        var response = await CallAsync(ex, "GET", "/v1/accounts");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(380), $"answered after {clock.Elapsed}");
    }

    [Fact]
    public async Task OversizedBodyIsLargerThanAskedAndChunked()
    {
        await using var ex = await TestExchange.StartAsync();
        ex.Faults.Add(StandInFault.OversizedBody(sizeMiB: 2));
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(ex.BaseAddress, "/v1/accounts"));
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + HandMadeJwt.ForRequest(TestExchange.AccessKey, TestExchange.Secret, null));

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.True(response.Headers.TransferEncodingChunked);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.True(body.Length > 2 * 1024 * 1024, $"{body.Length} bytes");
        using var doc = System.Text.Json.JsonDocument.Parse(body); // still valid JSON: only the size is wrong
        Assert.Equal(StandInFaultKind.OversizedBody, Assert.Single(ex.Accepted).Fault);
    }

    [Fact]
    public void FaultRulesRefuseNonsense()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => StandInFault.TooManyRequests(count: 0));
        Assert.Throws<ArgumentException>(() => StandInFault.ServerError(path: "v1/orders"));
        Assert.Throws<ArgumentOutOfRangeException>(() => StandInFault.OversizedBody(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => StandInFault.Delayed(TimeSpan.FromSeconds(-1)));
    }
}
