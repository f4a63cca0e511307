using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using static Appliance.StandIn.Tests.StandInClient;

namespace Appliance.StandIn.Tests.Socket;

/// <summary>The private WebSocket: token on the handshake, subscriptions, events from REST activity, keep-alive.</summary>
public sealed class PrivateSocketTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task OrderAndAssetEventsFollowRestActivity()
    {
        await using var ex = await TestExchange.StartAsync();
        using var ws = await ConnectAsync(ex);
        await SendAsync(ws, "[{\"ticket\":\"t-1\"},{\"type\":\"myOrder\",\"codes\":[\"KRW-BTC\"]},{\"type\":\"myAsset\"},{\"format\":\"DEFAULT\"}]");
        await PingAsync(ws); // the subscription is in place once the PING behind it is answered

        await CallAsync(ex, "POST", "/v1/orders", ("market", "KRW-ETH"), ("side", "bid"), ("volume", "1"), ("price", "4000000"), ("ord_type", "limit"));
        var uuid = (await CallAsync(ex, "POST", "/v1/orders", ("market", "KRW-BTC"), ("side", "bid"), ("volume", "0.01"), ("price", "90000000"), ("ord_type", "limit"), ("identifier", "ws-1")))
            .Json().GetProperty("uuid").GetString()!;

        var eth = await ReceiveAsync(ws); // KRW-ETH is not in codes: its myOrder never comes, its myAsset does
        Assert.Equal(("myAsset", "KRW"), (eth.GetProperty("type").GetString(), eth.GetProperty("assets")[0].GetProperty("currency").GetString()));
        var wait = await ReceiveAsync(ws);
        Assert.Equal(("myOrder", "KRW-BTC", uuid, "BID", "limit", "wait", "ws-1"), (
            wait.GetProperty("type").GetString(), wait.GetProperty("code").GetString(), wait.GetProperty("uuid").GetString(),
            wait.GetProperty("ask_bid").GetString(), wait.GetProperty("order_type").GetString(), wait.GetProperty("state").GetString(),
            wait.GetProperty("identifier").GetString()));
        Assert.Equal((90000000m, 0.01m, JsonValueKind.Number, "REALTIME"), (wait.GetProperty("price").GetDecimal(), wait.GetProperty("volume").GetDecimal(),
            wait.GetProperty("order_timestamp").ValueKind, wait.GetProperty("stream_type").GetString()));
        var asset = await ReceiveAsync(ws);
        Assert.Equal(("KRW", 100_000_000m - 4_002_000m - 900_450m, 4_002_000m + 900_450m), (asset.GetProperty("assets")[0].GetProperty("currency").GetString(),
            asset.GetProperty("assets")[0].GetProperty("balance").GetDecimal(), asset.GetProperty("assets")[0].GetProperty("locked").GetDecimal()));

        ex.FillOrder(uuid);
        var trade = await ReceiveAsync(ws);
        var done = await ReceiveAsync(ws);
        Assert.Equal(("trade", 0.01m, JsonValueKind.String), (trade.GetProperty("state").GetString(), trade.GetProperty("volume").GetDecimal(), trade.GetProperty("trade_uuid").ValueKind));
        Assert.Equal(("done", 0.01m, 0m), (done.GetProperty("state").GetString(), done.GetProperty("executed_volume").GetDecimal(), done.GetProperty("remaining_volume").GetDecimal()));
        Assert.Equal("myAsset", (await ReceiveAsync(ws)).GetProperty("type").GetString());
    }

    [Fact]
    public async Task CancelIsPushedAndJsonListWrapsEvents()
    {
        await using var ex = await TestExchange.StartAsync();
        using var ws = await ConnectAsync(ex);
        await SendAsync(ws, "[{\"ticket\":\"t-2\"},{\"type\":\"myOrder\"},{\"format\":\"JSON_LIST\"}]");
        await PingAsync(ws);
        var uuid = (await CallAsync(ex, "POST", "/v1/orders", ("market", "KRW-XRP"), ("side", "ask"), ("volume", "10"), ("price", "2000"), ("ord_type", "limit")))
            .Json().GetProperty("uuid").GetString()!;

        await CallAsync(ex, "DELETE", "/v1/order", ("uuid", uuid));

        Assert.Equal("wait", (await ReceiveAsync(ws))[0].GetProperty("state").GetString());
        var cancel = (await ReceiveAsync(ws))[0];
        Assert.Equal(("cancel", "ASK", uuid), (cancel.GetProperty("state").GetString(), cancel.GetProperty("ask_bid").GetString(), cancel.GetProperty("uuid").GetString()));
    }

    [Theory]
    [InlineData("not json", UpbitErrorNames.WrongFormat)]
    [InlineData("[{\"type\":\"myOrder\"}]", UpbitErrorNames.NoTicket)]
    [InlineData("[{\"ticket\":\"x\"},{\"format\":\"DEFAULT\"}]", UpbitErrorNames.NoType)]
    [InlineData("[{\"ticket\":\"x\"},{\"type\":\"ticker\",\"codes\":[\"KRW-BTC\"]}]", UpbitErrorNames.InvalidParam)]
    [InlineData("[{\"ticket\":\"x\"},{\"type\":\"myOrder\",\"codes\":[\"krw-btc\"]}]", UpbitErrorNames.InvalidParam)]
    [InlineData("[{\"ticket\":\"x\"},{\"type\":\"myAsset\"},{\"format\":\"SIMPLE\"}]", UpbitErrorNames.InvalidParam)]
    public async Task BadSubscriptionGetsAnErrorFrameAndTheConnectionStays(string request, string errorName)
    {
        await using var ex = await TestExchange.StartAsync();
        using var ws = await ConnectAsync(ex);

        await SendAsync(ws, request);

        Assert.Equal(errorName, (await ReceiveAsync(ws)).GetProperty("error").GetProperty("name").GetString());
        await PingAsync(ws);
    }

    [Fact]
    public async Task BadOrReplayedTokenGetsInvalidAuthAndIsClosed()
    {
        await using var ex = await TestExchange.StartAsync();
        var jwt = HandMadeJwt.ForRequest(TestExchange.AccessKey, TestExchange.Secret, null);
        using (var first = await ConnectAsync(ex, jwt))
        {
            await PingAsync(first);
        }

        foreach (var token in new[] { jwt, HandMadeJwt.ForRequest(TestExchange.AccessKey, "wrong", null), HandMadeJwt.ForRequest(TestExchange.AccessKey, TestExchange.Secret, "market=KRW-BTC") })
        {
            using var ws = await ConnectAsync(ex, token);
            Assert.Equal(UpbitErrorNames.InvalidAuth, (await ReceiveAsync(ws)).GetProperty("error").GetProperty("name").GetString());
            var buffer = new byte[256];
            using var timeout = new CancellationTokenSource(Wait);
            Assert.Equal(WebSocketMessageType.Close, (await ws.ReceiveAsync(buffer, timeout.Token)).MessageType);
        }

        Assert.Equal(["nonce_used", "jwt_verification", "invalid_query_payload"], ex.Rejected.Select(r => r.Reason.Split(':')[0]));
        Assert.Equal(101, Assert.Single(ex.Accepted).StatusCode);
    }

    [Fact]
    public async Task PingFrameGetsPongAndTextPingGetsStatusUp()
    {
        await using var ex = await TestExchange.StartAsync();
        var (raw, status) = await RawWebSocket.ConnectAsync(ex.PrivateWebSocketUri, HandMadeJwt.ForRequest(TestExchange.AccessKey, TestExchange.Secret, null));
        await using var _ = raw;
        Assert.StartsWith("HTTP/1.1 101", status);

        await raw.SendAsync(9, "are you there"u8.ToArray());
        var pong = await raw.ReceiveAsync(Wait);
        await raw.SendTextAsync("PING");
        var up = await raw.ReceiveAsync(Wait);

        Assert.Equal((10, "are you there"), (pong?.Opcode, Encoding.UTF8.GetString(pong!.Value.Payload)));
        Assert.Equal((2, "{\"status\":\"UP\"}"), (up?.Opcode, Encoding.UTF8.GetString(up!.Value.Payload)));
    }

    [Fact]
    public async Task IdleConnectionIsClosedAfter120SecondsAndAPingFrameCountsAsActivity()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var ex = await TestExchange.StartAsync(time);
        var (raw, _) = await RawWebSocket.ConnectAsync(ex.PrivateWebSocketUri, HandMadeJwt.ForRequest(TestExchange.AccessKey, TestExchange.Secret, null));
        await using var __ = raw;
        await raw.SendTextAsync("PING");
        Assert.NotNull(await raw.ReceiveAsync(Wait)); // the session runs: its idle clock started at the fake t0

        time.Advance(TimeSpan.FromSeconds(119));
        await raw.SendAsync(9, []);
        Assert.Equal(10, (await raw.ReceiveAsync(Wait))?.Opcode); // pong: activity at t0+119
        time.Advance(TimeSpan.FromSeconds(2)); // t0+121: idle for 2 s only
        await Task.Delay(500); // real time for a wrongly fired idle close to reach the wire before the next frame
        await raw.SendTextAsync("PING");
        Assert.Equal(2, (await raw.ReceiveAsync(Wait))?.Opcode); // still open

        time.Advance(TimeSpan.FromSeconds(121)); // t0+242: 121 s since the last byte
        var close = await raw.ReceiveAsync(Wait);
        Assert.Equal(8, close?.Opcode);
        Assert.Contains("idle", Encoding.UTF8.GetString(close!.Value.Payload.AsSpan(2)));
    }

    [Fact]
    public async Task MoreThanFiveMessagesInASecondGetTooManyRequestAndTheConnectionIsClosed()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var ex = await TestExchange.StartAsync(time);
        using var ws = await ConnectAsync(ex);
        for (var i = 0; i < 5; i++)
        {
            await PingAsync(ws); // five in this (fake) second: allowed
        }

        time.Advance(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 5; i++)
        {
            await PingAsync(ws); // the next second: five more, still allowed
        }

        await SendAsync(ws, "PING"); // the sixth within one second
        Assert.Equal(UpbitErrorNames.TooManyRequests, (await ReceiveAsync(ws)).GetProperty("error").GetProperty("name").GetString());
        using var timeout = new CancellationTokenSource(Wait);
        var closing = await ws.ReceiveAsync(new byte[256], timeout.Token);
        Assert.Equal(WebSocketMessageType.Close, closing.MessageType);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, ws.CloseStatus);
    }

    [Fact]
    public async Task MoreThanAHundredMessagesInAMinuteAreTooMany()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var ex = await TestExchange.StartAsync(time);
        using var ws = await ConnectAsync(ex);
        for (var i = 0; i < 100; i++)
        {
            if (i % 5 == 0)
            {
                time.Advance(TimeSpan.FromSeconds(1)); // five per second: within the per-second limit
            }

            await PingAsync(ws);
        }

        await SendAsync(ws, "PING"); // 101 within the minute (20 s have passed)
        Assert.Equal(UpbitErrorNames.TooManyRequests, (await ReceiveAsync(ws)).GetProperty("error").GetProperty("name").GetString());
    }

    private static async Task<ClientWebSocket> ConnectAsync(StandInExchange ex, string? jwt = null)
    {
        var ws = new ClientWebSocket();
        ws.Options.SetRequestHeader("Authorization", "Bearer " + (jwt ?? HandMadeJwt.ForRequest(TestExchange.AccessKey, TestExchange.Secret, null)));
        using var timeout = new CancellationTokenSource(Wait);
        await ws.ConnectAsync(ex.PrivateWebSocketUri, timeout.Token);
        return ws;
    }

    private static Task SendAsync(ClientWebSocket ws, string text) =>
        ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task PingAsync(ClientWebSocket ws)
    {
        await SendAsync(ws, "PING");
        Assert.Equal("UP", (await ReceiveAsync(ws)).GetProperty("status").GetString());
    }

    private static async Task<JsonElement> ReceiveAsync(ClientWebSocket ws)
    {
        using var timeout = new CancellationTokenSource(Wait);
        using var message = new MemoryStream();
        var buffer = new byte[4096];
        WebSocketReceiveResult result;
        do
        {
            result = await ws.ReceiveAsync(buffer, timeout.Token);
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);

        Assert.Equal(WebSocketMessageType.Binary, result.MessageType);
        using var doc = JsonDocument.Parse(message.ToArray());
        return doc.RootElement.Clone();
    }
}
