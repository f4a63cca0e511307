using System.Net;
using Appliance.Common;
using Appliance.StandIn;
using Appliance.Tests.EndToEnd;
using Appliance.Tests.Support;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tests.Front;

/// <summary>
/// A 429 or a 418 from the exchange (the stand-in's fault injection) reaches the bot as Upbit's answer
/// and feeds the rate guard: the next request is answered RATE_LIMITED with the wait, through the
/// front and through Send, and sends nothing until the wait is over. The appliance runs on a
/// FakeTimeProvider, so "until the wait is over" is exact.
/// </summary>
public sealed class UpstreamRateFeedbackTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private TestAppliance _appliance = null!;

    public async ValueTask InitializeAsync() => _appliance = await TestAppliance.StartAsync(time: _time);

    public async ValueTask DisposeAsync() => await _appliance.DisposeAsync();

    [Fact]
    public async Task A_429_from_upstream_holds_the_group_back_for_a_second()
    {
        using var http = FrontHttp.Client(_appliance);
        using var client = _appliance.Client(clientTime: TimeProvider.System);
        _appliance.Exchange.Exchange.Faults.Add(StandInFault.TooManyRequests(path: "/v1/accounts"));

        using (var first = await http.GetAsync("/v1/accounts"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, first.StatusCode); // Upbit's own answer, passed on
            Assert.False(first.Headers.Contains("X-Appliance-Reason"));
        }
        using (var next = await http.GetAsync("/v1/accounts"))
        {
            await FrontHttp.AssertRefused(next, 429, Reasons.RateLimited);
            Assert.Equal(TimeSpan.FromSeconds(1), next.Headers.RetryAfter?.Delta);
        }
        await RpcRefusals.AssertRefused(StatusCode.ResourceExhausted, Reasons.RateLimited, () => client.SendAsync("GET", "/v1/accounts", []));
        Assert.Single(_appliance.Exchange.Exchange.Faulted);
        Assert.Empty(_appliance.Exchange.Accepted);

        _time.Advance(TimeSpan.FromSeconds(1.1));
        using var after = await http.GetAsync("/v1/accounts");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Single(_appliance.Exchange.Accepted);
    }

    [Fact]
    public async Task A_418_from_upstream_blocks_the_pocket_until_the_ban_ends()
    {
        using var http = FrontHttp.Client(_appliance);
        using var client = _appliance.Client(clientTime: TimeProvider.System);
        _appliance.Exchange.Exchange.Faults.Add(StandInFault.Blocked(retryAfterSeconds: 120, path: "/v1/accounts"));

        using (var first = await http.GetAsync("/v1/accounts"))
            Assert.Equal((HttpStatusCode)418, first.StatusCode);
        // Every group of the pocket, not only the one that was answered 418.
        using (var order = await http.GetAsync("/v1/orders/chance?market=KRW-BTC"))
        {
            var body = await FrontHttp.AssertRefused(order, 429, Reasons.RateLimited);
            Assert.Contains("418", body);
            Assert.Equal(TimeSpan.FromSeconds(120), order.Headers.RetryAfter?.Delta);
        }
        await RpcRefusals.AssertRefused(StatusCode.ResourceExhausted, Reasons.RateLimited, () => client.SendAsync("GET", "/v1/accounts", []));

        _time.Advance(TimeSpan.FromSeconds(119));
        using (var still = await http.GetAsync("/v1/accounts"))
            await FrontHttp.AssertRefused(still, 429, Reasons.RateLimited);
        Assert.Empty(_appliance.Exchange.Accepted);

        _time.Advance(TimeSpan.FromSeconds(2));
        using var after = await http.GetAsync("/v1/accounts");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Single(_appliance.Exchange.Accepted);
    }
}
