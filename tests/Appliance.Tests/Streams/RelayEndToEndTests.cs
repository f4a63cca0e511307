using System.Net.WebSockets;
using System.Text.Json;
using Appliance.Client;
using Appliance.Common;
using Appliance.Provisioning;
using Appliance.Streams;
using Appliance.Tests.EndToEnd;
using Appliance.Tests.Support;
using Grpc.Core;

namespace Appliance.Tests.Streams;

/// <summary>
/// The private WebSocket relay end to end: bots (real gRPC clients and a real ClientWebSocket, each with
/// its client certificate) → the appliance → the stand-in exchange's private WebSocket, which checks the
/// appliance's token as Upbit does and pushes myOrder/myAsset events as orders rest, fill and balances change.
/// </summary>
public sealed class RelayEndToEndTests : IAsyncLifetime
{
    private const string WebSocketPath = "/websocket/v1/private";
    private static readonly string[] Both = [StreamSubscription.MyOrder, StreamSubscription.MyAsset];
    private TestAppliance _appliance = null!;
    private ApplianceClient _demo = null!;

    public async ValueTask InitializeAsync()
    {
        _appliance = await TestAppliance.StartAsync();
        _demo = _appliance.Client();
    }

    public async ValueTask DisposeAsync()
    {
        _demo.Dispose();
        await _appliance.DisposeAsync();
    }

    private List<Appliance.Audit.AuditEntry> Decisions() =>
        [.. Appliance.Audit.AuditReader.ReadAll(_appliance.Data.AuditDir).Select(r => r.Entry).Where(e => e.Kind == Appliance.Audit.AuditKind.Decision)];

    private int UpstreamHandshakes => _appliance.Exchange.Accepted.Count(a => a.Path == WebSocketPath);

    private async Task<ApplianceClient> BotAsync(string name, string[] scopes, string[]? markets = null, bool allOrders = false) =>
        new(ApplianceBundle.Load(await BundleAsync(name, scopes, markets, allOrders)), _appliance.Time, _appliance.Address);

    private Task<string> BundleAsync(string name, string[] scopes, string[]? markets = null, bool allOrders = false) =>
        _appliance.AddBotAsync(new BotRequest(name, DemoSetup.CredentialName, scopes) { Markets = markets ?? [], AllOrders = allOrders });

    /// <summary>Places a resting limit bid through Send; returns its identifier and uuid.</summary>
    private static async Task<(string Identifier, string Uuid)> PlaceAsync(ApplianceClient bot, string identifier)
    {
        var answer = await bot.SendAsync("POST", "/v1/orders",
            [new("market", "KRW-BTC"), new("side", "bid"), new("volume", "0.001"), new("price", "90000000"), new("ord_type", "limit"), new("identifier", identifier)]);
        Assert.Equal(201, answer.HttpStatus);
        using var json = JsonDocument.Parse(answer.Body.ToByteArray());
        return (identifier, json.RootElement.GetProperty("uuid").GetString()!);
    }

    [Fact]
    public async Task Grpc_subscription_relays_the_bots_order_and_asset_events()
    {
        await using var stream = await GrpcEventStream.OpenAsync(_demo, Both);
        await stream.PrimeAsync(_appliance.Exchange.Exchange);

        var (identifier, uuid) = await PlaceAsync(_demo, "mine-1");
        var resting = await stream.NextOfAsync("myOrder");
        Assert.Equal(identifier, resting.GetProperty("identifier").GetString());
        Assert.Equal(uuid, resting.GetProperty("uuid").GetString());
        Assert.Equal("wait", resting.GetProperty("state").GetString());

        _appliance.Exchange.Exchange.FillOrder(uuid);
        var states = new List<string>();
        while (!states.Contains("done")) states.Add((await stream.NextOfAsync("myOrder")).GetProperty("state").GetString()!);
        Assert.Contains("trade", states);

        _appliance.Exchange.Exchange.SetBalance("XRP", 1234);
        JsonElement asset;
        do asset = await stream.NextOfAsync("myAsset"); // the fill's own balance change may come first
        while (!asset.GetProperty("assets").EnumerateArray().Any(a => a.GetProperty("currency").GetString() == "XRP"));

        // One audited decision for the subscription, and the upstream connection used the appliance's own token.
        Assert.Equal(DemoSetup.AccessKey, Assert.Single(_appliance.Exchange.Accepted, a => a.Path == WebSocketPath).AccessKey);
        var opened = Assert.Single(Decisions(), e => e.Path == WebSocketPath);
        Assert.Equal(("sent", DemoSetup.BotName, DemoSetup.CredentialName), (opened.Decision, opened.Bot, opened.Credential));
        Assert.Equal(["types=myOrder,myAsset"], opened.Params!.Select(p => $"{p.Key}={p.Value}"));
    }

    [Fact]
    public async Task Order_events_of_another_bot_are_dropped_and_all_orders_bots_see_them()
    {
        using var other = await BotAsync("other", ["trade", "view-orders", "view-assets"]);
        using var sweeper = await BotAsync("sweeper", ["view-orders", "view-assets"], allOrders: true);
        await using var mine = await GrpcEventStream.OpenAsync(_demo, Both);
        await using var all = await GrpcEventStream.OpenAsync(sweeper, Both);
        await mine.PrimeAsync(_appliance.Exchange.Exchange);
        await all.PrimeAsync(_appliance.Exchange.Exchange);

        await PlaceAsync(other, "theirs-1");
        Assert.Equal("theirs-1", (await all.NextOfAsync("myOrder")).GetProperty("identifier").GetString());
        await PlaceAsync(_demo, "mine-2");
        // The demo bot's first order event is its own: the other bot's came first and was dropped.
        Assert.Equal("mine-2", (await mine.NextOfAsync("myOrder")).GetProperty("identifier").GetString());
        Assert.Equal("mine-2", (await all.NextOfAsync("myOrder")).GetProperty("identifier").GetString());
    }

    [Fact]
    public async Task Two_bots_share_one_upstream_connection()
    {
        using var other = await BotAsync("other", ["view-orders", "view-assets"]);
        await using var first = await GrpcEventStream.OpenAsync(_demo, Both);
        await using var second = await SocketEventStream.ConnectAsync(_appliance, await BundleAsync("socket-bot", ["view-assets"]));
        await second.SendAsync("""[{"ticket":"t1"},{"type":"myAsset"}]""");
        await first.PrimeAsync(_appliance.Exchange.Exchange);
        await second.PrimeAsync(_appliance.Exchange.Exchange);
        await using var third = await GrpcEventStream.OpenAsync(other, [StreamSubscription.MyAsset]);
        await third.PrimeAsync(_appliance.Exchange.Exchange);

        Assert.Equal(1, UpstreamHandshakes);
        Assert.Equal(1, _appliance.Server.Streams.Connects(DemoSetup.CredentialName));
    }

    [Fact]
    public async Task A_market_outside_the_bots_markets_is_refused_and_nothing_reaches_upbit()
    {
        var bundle = await BundleAsync("btc-only", ["view-orders"], ["KRW-BTC"]);
        using var bot = new ApplianceClient(ApplianceBundle.Load(bundle), _appliance.Time, _appliance.Address);
        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.MarketDenied,
            () => GrpcEventStream.OpenAsync(bot, [StreamSubscription.MyOrder], ["KRW-ETH"]));

        await using var socket = await SocketEventStream.ConnectAsync(_appliance, bundle);
        await socket.SendAsync("""[{"ticket":"t1"},{"type":"myOrder","codes":["KRW-BTC","KRW-ETH"]}]""");
        var error = JsonDocument.Parse((await socket.NextAsync())!).RootElement.GetProperty("error");
        Assert.Equal(Reasons.MarketDenied, error.GetProperty("name").GetString());
        Assert.Contains("KRW-ETH", error.GetProperty("message").GetString());
        Assert.Equal(0, UpstreamHandshakes);
        Assert.Equal(2, Decisions().Count(e => e.Path == WebSocketPath && e.Decision == "denied" && e.Reason == Reasons.MarketDenied && e.Bot == "btc-only"));
    }

    [Fact]
    public async Task An_unknown_type_is_refused_with_upbits_error_shape_and_the_connection_stays()
    {
        await RpcRefusals.AssertRefused(StatusCode.InvalidArgument, Reasons.InvalidParam,
            () => GrpcEventStream.OpenAsync(_demo, ["ticker"], ["KRW-BTC"]));

        await using var socket = await SocketEventStream.ConnectAsync(_appliance);
        await socket.SendAsync("""[{"ticket":"t1"},{"type":"ticker","codes":["KRW-BTC"]}]""");
        var error = JsonDocument.Parse((await socket.NextAsync())!).RootElement.GetProperty("error");
        Assert.Equal(Reasons.InvalidParam, error.GetProperty("name").GetString());
        Assert.Contains("myOrder and myAsset", error.GetProperty("message").GetString());
        await socket.SendAsync("PING");
        Assert.Equal("""{"status":"UP"}""", await socket.NextAsync());
        Assert.Equal(0, UpstreamHandshakes);

        // The same connection may then subscribe properly.
        await socket.SendAsync("""[{"ticket":"t2"},{"type":"myOrder"},{"type":"myAsset"},{"format":"JSON_LIST"}]""");
        await socket.PrimeAsync(_appliance.Exchange.Exchange);
        await PlaceAsync(_demo, "mine-3");
        Assert.Equal("mine-3", (await socket.NextOfAsync("myOrder")).GetProperty("identifier").GetString());
    }

    [Fact]
    public async Task Subscriptions_spend_the_bots_own_rate_so_churn_cannot_flood_the_audit_log()
    {
        var bundle = await _appliance.AddBotAsync(new BotRequest("churner", DemoSetup.CredentialName, ["view-assets"]) { RatePerSecond = 0.5, Burst = 2 });
        using var bot = new ApplianceClient(ApplianceBundle.Load(bundle), _appliance.Time, _appliance.Address);
        await using (await GrpcEventStream.OpenAsync(bot, [StreamSubscription.MyAsset])) { }
        await using (await GrpcEventStream.OpenAsync(bot, [StreamSubscription.MyAsset])) { }
        var e = await RpcRefusals.AssertRefused(StatusCode.ResourceExhausted, Reasons.RateLimited,
            () => GrpcEventStream.OpenAsync(bot, [StreamSubscription.MyAsset]));
        Assert.Contains("own rate", e.Status.Detail);

        // The front's frames count the same way: each new frame is a subscription.
        await using var socket = await SocketEventStream.ConnectAsync(_appliance, bundle);
        await socket.SendAsync("""[{"ticket":"t1"},{"type":"myAsset"}]""");
        var error = JsonDocument.Parse((await socket.NextAsync())!).RootElement.GetProperty("error");
        Assert.Equal(Reasons.RateLimited, error.GetProperty("name").GetString());
        Assert.Equal(2, Decisions().Count(d => d.Bot == "churner" && d.Decision == "sent"));
    }

    [Fact]
    public async Task A_bot_without_the_view_scope_is_refused()
    {
        using var trader = await BotAsync("trader", ["trade", "view-assets"]);
        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.ScopeDenied,
            () => GrpcEventStream.OpenAsync(trader, [StreamSubscription.MyOrder]));
        await using var assets = await GrpcEventStream.OpenAsync(trader, [StreamSubscription.MyAsset]);
        await assets.PrimeAsync(_appliance.Exchange.Exchange);
    }

    [Fact]
    public async Task An_oversize_frame_is_refused_and_the_connection_closed()
    {
        await using var socket = await SocketEventStream.ConnectAsync(_appliance);
        var huge = """[{"ticket":"t1"},{"type":"myOrder","codes":[""" + string.Join(",", Enumerable.Repeat("\"KRW-BTC\"", 8000)) + "]}]";
        Assert.True(huge.Length > SubscriptionFrames.MaxFrameBytes);
        await socket.SendAsync(huge);
        var error = JsonDocument.Parse((await socket.NextAsync())!).RootElement.GetProperty("error");
        Assert.Equal(Reasons.FrameTooLarge, error.GetProperty("name").GetString());
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await socket.ClosedAsync());
        Assert.Equal(0, UpstreamHandshakes);
    }

    [Fact]
    public async Task Revocation_ends_the_bots_streams_and_the_upstream_closes_when_nobody_listens()
    {
        var bundle = await BundleAsync("short-lived", ["view-orders", "view-assets"]);
        using var bot = new ApplianceClient(ApplianceBundle.Load(bundle), _appliance.Time, _appliance.Address);
        await using var grpc = await GrpcEventStream.OpenAsync(bot, Both);
        await using var socket = await SocketEventStream.ConnectAsync(_appliance, bundle);
        await socket.SendAsync("""[{"ticket":"t1"},{"type":"myAsset"}]""");
        await grpc.PrimeAsync(_appliance.Exchange.Exchange);
        await socket.PrimeAsync(_appliance.Exchange.Exchange);

        new BotEnrollment(_appliance.Data, TimeProvider.System).Revoke("short-lived");
        await Assert.ThrowsAsync<RpcException>(async () => { while (await grpc.NextAsync() is not null) { } });
        await socket.ClosedAsync();
        await Eventually.HoldsAsync(() => !_appliance.Server.Streams.IsConnected(DemoSetup.CredentialName), "the upstream connection closed");
    }

    [Fact]
    public async Task Pausing_ends_every_stream_and_new_subscriptions_are_refused()
    {
        await using var stream = await GrpcEventStream.OpenAsync(_demo, Both);
        await stream.PrimeAsync(_appliance.Exchange.Exchange);

        _appliance.Server.State.Paused = true;
        var ended = await Assert.ThrowsAsync<RpcException>(async () => { while (await stream.NextAsync() is not null) { } });
        Assert.Equal(StatusCode.FailedPrecondition, ended.StatusCode);
        await RpcRefusals.AssertRefused(StatusCode.FailedPrecondition, Reasons.Paused, () => GrpcEventStream.OpenAsync(_demo, Both));
        await Eventually.HoldsAsync(() => !_appliance.Server.Streams.IsConnected(DemoSetup.CredentialName), "the upstream connection closed");

        _appliance.Server.State.Paused = false;
        await using var again = await GrpcEventStream.OpenAsync(_demo, Both);
        await again.PrimeAsync(_appliance.Exchange.Exchange);
        Assert.Equal(2, UpstreamHandshakes); // a fresh connection with a fresh token
    }
}
