using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Appliance.Client;
using Appliance.StandIn;
using Appliance.Tests.EndToEnd;
using Appliance.V1;
using Grpc.Core;

namespace Appliance.Tests.Streams;

/// <summary>
/// A bot's end of a relayed stream, read in the background into a queue so a test can wait for the next
/// message with a timeout (cancelling a gRPC read would cancel the whole call).
/// </summary>
internal abstract class EventStream : IAsyncDisposable
{
    protected readonly Channel<string> Messages = Channel.CreateUnbounded<string>();

    /// <summary>The next message as JSON text; null if none came within <paramref name="timeout"/>. Throws what ended the stream.</summary>
    public async Task<string?> NextAsync(TimeSpan? timeout = null)
    {
        using var wait = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try { return await Messages.Reader.ReadAsync(wait.Token); }
        catch (OperationCanceledException) { return null; }
        catch (ChannelClosedException e) when (e.InnerException is { } ended) { System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ended); throw; }
        catch (ChannelClosedException) { return null; }
    }

    /// <summary>The next event of <paramref name="type"/>, skipping others; fails after the timeout.</summary>
    public async Task<JsonElement> NextOfAsync(string type, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            if (await NextAsync(deadline - DateTime.UtcNow) is not { } text) break;
            var json = JsonDocument.Parse(text).RootElement;
            if (json.ValueKind == JsonValueKind.Array) json = json[0];
            if (json.TryGetProperty("type", out var t) && t.GetString() == type) return json;
        }
        Assert.Fail($"no {type} event arrived");
        return default;
    }

    /// <summary>
    /// Waits until the relay's upstream subscription is live: nudges a balance until a myAsset event comes
    /// through (the subscription reaches Upbit a moment after the bot's call returns), then drains.
    /// </summary>
    public async Task PrimeAsync(StandInExchange exchange)
    {
        for (var i = 0; i < 50; i++)
        {
            exchange.SetBalance("USDT", 10_000 + i);
            if (await NextAsync(TimeSpan.FromMilliseconds(200)) is { } text && text.Contains("myAsset", StringComparison.Ordinal))
            {
                while (await NextAsync(TimeSpan.FromMilliseconds(100)) is not null) { }
                return;
            }
        }
        Assert.Fail("the subscription never went live");
    }

    public abstract ValueTask DisposeAsync();
}

internal sealed class GrpcEventStream : EventStream
{
    private readonly AsyncServerStreamingCall<UpbitEvent> _call;
    private readonly Task _pump;

    private GrpcEventStream(AsyncServerStreamingCall<UpbitEvent> call)
    {
        _call = call;
        _pump = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in call.ResponseStream.ReadAllAsync()) Messages.Writer.TryWrite(e.Json);
                Messages.Writer.TryComplete();
            }
            catch (Exception e) { Messages.Writer.TryComplete(e); }
        });
    }

    /// <summary>Subscribes and waits for the response headers (the subscription was admitted), or throws the refusal.</summary>
    public static async Task<GrpcEventStream> OpenAsync(ApplianceClient client, string[] types, string[]? codes = null)
    {
        var call = client.Signer.Subscribe(new SubscribeRequest { Types_ = { types }, Codes = { codes ?? [] } });
        try
        {
            // An admitted subscription answers headers naming its audit record; a refusal is trailers only.
            var headers = await call.ResponseHeadersAsync;
            if (headers.GetValue("x-appliance-audit-id") is null) await call.ResponseStream.MoveNext();
            Assert.NotNull(headers.GetValue("x-appliance-audit-id"));
        }
        catch
        {
            call.Dispose();
            throw;
        }
        return new GrpcEventStream(call);
    }

    public override async ValueTask DisposeAsync()
    {
        _call.Dispose();
        try { await _pump; } catch (RpcException) { }
    }
}

internal sealed class SocketEventStream : EventStream
{
    private readonly ClientWebSocket _socket;
    private readonly Task _pump;

    private SocketEventStream(ClientWebSocket socket)
    {
        _socket = socket;
        _pump = Task.Run(async () =>
        {
            var buffer = new byte[128 * 1024];
            try
            {
                while (true)
                {
                    var count = 0;
                    WebSocketReceiveResult result;
                    do
                    {
                        result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, count, buffer.Length - count), CancellationToken.None);
                        count += result.Count;
                    }
                    while (!result.EndOfMessage);
                    if (result.MessageType == WebSocketMessageType.Close) break;
                    Messages.Writer.TryWrite(Encoding.UTF8.GetString(buffer, 0, count));
                }
                Messages.Writer.TryComplete();
            }
            catch (Exception e) { Messages.Writer.TryComplete(e); }
        });
    }

    public WebSocket Socket => _socket;

    /// <summary>Connects to the front's /websocket/v1/private with a bot's certificate, trusting only the bundle's CA.</summary>
    public static async Task<SocketEventStream> ConnectAsync(TestAppliance appliance, string? bundleDir = null)
    {
        using var bundle = ApplianceBundle.Load(bundleDir ?? appliance.BundleDir);
        var socket = new ClientWebSocket();
        socket.Options.ClientCertificates.Add(bundle.ClientCertificate);
        var ca = X509CertificateLoader.LoadCertificate(bundle.CaCertificate.RawData);
        socket.Options.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            if (certificate is null) return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(new UriBuilder(appliance.Address) { Scheme = "wss", Path = "/websocket/v1/private" }.Uri, timeout.Token);
        return new SocketEventStream(socket);
    }

    public Task SendAsync(string text) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>Waits until the appliance closed the connection; its close status.</summary>
    public async Task<WebSocketCloseStatus?> ClosedAsync()
    {
        await _pump.WaitAsync(TimeSpan.FromSeconds(10));
        return _socket.CloseStatus;
    }

    public override async ValueTask DisposeAsync()
    {
        _socket.Abort();
        await _pump;
        _socket.Dispose();
    }
}
