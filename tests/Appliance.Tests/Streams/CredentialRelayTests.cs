using Appliance.Orders;
using Appliance.Policy;
using Appliance.StandIn;
using Appliance.Streams;
using Appliance.Tests.Support;
using Appliance.Upbit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tests.Streams;

/// <summary>
/// The shared upstream connection against the stand-in's private WebSocket, both on one FakeTimeProvider:
/// the stand-in closes a connection after 120 s without a byte, as Upbit does, and the relay's PINGs keep it open.
/// </summary>
public sealed class CredentialRelayTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-30T00:00:00Z"));
    private StandInExchange _exchange = null!;

    public async ValueTask InitializeAsync()
    {
        _exchange = await StandInExchange.StartAsync(options: new StandInOptions { TimeProvider = _time, Log = _ => { } });
        _exchange.AddKey("relay-key", "relay-secret");
    }

    public ValueTask DisposeAsync() => _exchange.DisposeAsync();

    private CredentialRelay Relay(TimeSpan pingInterval) => new("main",
        _ => "Bearer " + UpbitJwt.CreateForWebSocket("relay-key", "relay-secret"u8, Guid.NewGuid(), JwtAlgorithm.HS512),
        StreamOptions.For(_exchange.BaseAddress) with { PingInterval = pingInterval }, WindowPacer.Connects(_time, 5), new OrderOwners(_time), _time,
        NullLogger.Instance);

    private static StreamListener Listener() => new(new StreamGrant(new BotProfile
    {
        Name = "bot", Thumbprint = "t", Credential = "main", Scopes = ["view-assets"], AllowIps = ["127.0.0.1/32"],
    }, "main", new StreamSubscription(false, [], true), "audit"), _ => { });

    /// <summary>Nudges a balance until its myAsset event reaches the listener: the subscription is live.</summary>
    private async Task AssertEventsFlowAsync(StreamListener listener)
    {
        for (var i = 0; i < 100; i++)
        {
            _exchange.SetBalance("XRP", 100 + i);
            await Task.Delay(50, TestContext.Current.CancellationToken);
            if (listener.Events.TryRead(out _))
            {
                while (listener.Events.TryRead(out _)) { }
                return;
            }
        }
        Assert.Fail("no myAsset event reached the listener");
    }

    [Fact]
    public async Task Pings_keep_the_connection_past_upbits_idle_timeout()
    {
        var relay = Relay(TimeSpan.FromSeconds(60));
        var listener = Listener();
        relay.Add(listener);
        await AssertEventsFlowAsync(listener);

        for (var i = 1; i <= 4; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(60));
            await Eventually.HoldsAsync(() => relay.Pings == i, $"PING {i} sent");
            await Task.Delay(100, TestContext.Current.CancellationToken); // the stand-in reads it at this fake time
        }

        // 240 s of fake time, twice Upbit's idle limit: still the first connection, still delivering.
        Assert.True(relay.IsConnected);
        Assert.Equal(1, relay.Connects);
        await AssertEventsFlowAsync(listener);
        listener.End(null);
        relay.Remove(listener);
        await relay.StopAsync();
    }

    [Fact]
    public async Task Without_pings_the_exchange_closes_an_idle_connection_and_the_relay_reconnects()
    {
        var relay = Relay(TimeSpan.FromHours(1));
        var listener = Listener();
        relay.Add(listener);
        await AssertEventsFlowAsync(listener);

        _time.Advance(TimeSpan.FromSeconds(121));
        await Eventually.HoldsAsync(() => !relay.IsConnected, "the stand-in closed the idle connection");
        // The relay comes back after its backoff (on the same clock), with a fresh token.
        await Eventually.HoldsAsync(() =>
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            return relay.Connects == 2 && relay.IsConnected;
        }, "reconnected");
        await AssertEventsFlowAsync(listener);
        Assert.Equal(2, _exchange.Accepted.Count(a => a.Path == StreamOptions.PrivatePath));
        listener.End(null);
        relay.Remove(listener);
        await relay.StopAsync();
    }

    [Fact]
    public async Task Subscription_churn_is_paced_and_coalesced_within_upbits_message_limit()
    {
        var relay = Relay(TimeSpan.FromHours(1));
        var assets = Listener();
        relay.Add(assets);
        await AssertEventsFlowAsync(assets);
        Assert.Equal(1, relay.SubscriptionsSent);

        // A bot that opens and closes an order stream 40 times at once changes the union 80 times.
        var orders = new StreamListener(new StreamGrant(new BotProfile
        {
            Name = "churner", Thumbprint = "c", Credential = "main", Scopes = ["view-orders"], AllowIps = ["127.0.0.1/32"],
        }, "main", new StreamSubscription(true, ["KRW-BTC"], false), "audit-2"), _ => { });
        for (var i = 0; i < 40; i++)
        {
            relay.Add(orders);
            relay.Remove(orders);
        }
        await Task.Delay(300, TestContext.Current.CancellationToken);
        // The fake clock has not moved: at most 4 messages in this second (the stand-in closes the connection past 5).
        Assert.InRange(relay.SubscriptionsSent, 2, 4);
        _time.Advance(TimeSpan.FromSeconds(1));
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.InRange(relay.SubscriptionsSent, 2, 5); // the changes that waited went out as one, carrying the newest union

        Assert.True(relay.IsConnected);
        Assert.Equal(1, relay.Connects); // never closed for too many messages
        await AssertEventsFlowAsync(assets);
        assets.End(null);
        relay.Remove(assets);
        await relay.StopAsync();
    }
}
