using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Appliance.Common;
using Appliance.Front;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Appliance.Streams;

/// <summary>
/// The private WebSocket on the HTTPS front, at Upbit's path: a bot points ccxt pro (or any Upbit client)
/// here with its client certificate and no token. The bot is identified before the upgrade; each request
/// frame is parsed, authorized, audited and rebuilt by the relay, never forwarded. A bad frame gets an
/// error frame in Upbit's shape <c>{"error":{"name","message"}}</c> and changes nothing; a frame over
/// <see cref="StreamOptions.MaxFrameBytes"/> is refused and the connection closed (1009).
/// </summary>
public sealed class PrivateSocketFront(StreamRelay relay, ILogger<PrivateSocketFront> logger)
{
    public void Map(IEndpointRouteBuilder routes) => routes.Map(StreamOptions.PrivatePath, HandleAsync);

    private async Task HandleAsync(HttpContext http)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            await FrontAnswers.WriteAsync(http, Refusals.WrongFormat("connect with a WebSocket client (GET with Upgrade: websocket)"));
            return;
        }
        var certificate = http.Connection.ClientCertificate;
        var peer = http.Connection.RemoteIpAddress ?? IPAddress.None;
        try
        {
            relay.Identify(certificate, peer);
        }
        catch (SignRefusal refusal)
        {
            await FrontAnswers.WriteAsync(http, refusal); // plain HTTP, before the upgrade: 401/403/503 as on the REST front
            return;
        }
        using var socket = await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { DangerousEnableCompression = false });
        await new Session(relay, socket, certificate, peer, relay.Options.MaxFrameBytes, logger).RunAsync(http.RequestAborted);
    }

    /// <summary>One bot connection: a reader of request frames, and one writer (events, answers, error frames).</summary>
    private sealed class Session(StreamRelay relay, WebSocket socket, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate,
        IPAddress peer, int maxFrameBytes, ILogger logger)
    {
        private readonly SemaphoreSlim _send = new(1, 1);
        private StreamListener? _listener;
        private CancellationTokenSource _stop = new();

        public async Task RunAsync(CancellationToken aborted)
        {
            using var stop = _stop = CancellationTokenSource.CreateLinkedTokenSource(aborted);
            Task? forwarding = null;
            try
            {
                var buffer = new byte[16 * 1024];
                using var message = new MemoryStream();
                while (true)
                {
                    message.SetLength(0);
                    ValueWebSocketReceiveResult result;
                    do
                    {
                        result = await socket.ReceiveAsync(buffer.AsMemory(), stop.Token);
                        if (result.MessageType == WebSocketMessageType.Close) return;
                        if (message.Length + result.Count > maxFrameBytes)
                        {
                            await CloseAsync(Refusals.FrameTooLarge(maxFrameBytes), WebSocketCloseStatus.MessageTooBig);
                            return; // unread: nothing of it is parsed, nothing forwarded
                        }
                        message.Write(buffer, 0, result.Count);
                    }
                    while (!result.EndOfMessage);
                    var started = await HandleAsync(Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length), stop.Token);
                    if (started is not null) forwarding = started;
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
            {
                // The bot went away, or its stream was ended and the socket closed.
            }
            finally
            {
                _listener?.End(null);
                await stop.CancelAsync();
                if (forwarding is not null) await forwarding;
            }
        }

        /// <summary>Answers one frame; returns the forwarding task when this frame opened the stream.</summary>
        private async Task<Task?> HandleAsync(string text, CancellationToken ct)
        {
            if (text == "PING")
            {
                await SendAsync("{\"status\":\"UP\"}"u8.ToArray(), ct);
                return null;
            }
            try
            {
                var wanted = SubscriptionFrames.Parse(text);
                if (_listener is { } open)
                {
                    await relay.ReplaceAsync(open, certificate, peer, wanted);
                    return null;
                }
                _listener = await relay.OpenAsync(certificate, peer, "", wanted);
                return ForwardAsync(_listener, ct);
            }
            catch (SignRefusal refusal)
            {
                await SendAsync(ErrorFrame(refusal), ct);
                return null;
            }
        }

        private async Task ForwardAsync(StreamListener listener, CancellationToken ct)
        {
            try
            {
                await foreach (var frame in listener.Events.ReadAllAsync(ct)) await SendAsync(frame, ct);
                if (await listener.Ended is { } reason)
                    await CloseAsync(reason, reason.Kind == RefusalKind.Unavailable ? WebSocketCloseStatus.EndpointUnavailable : WebSocketCloseStatus.PolicyViolation);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
            {
                // The bot went away.
            }
        }

        /// <summary>The refusal as an error frame, then a close naming its reason code; the reader then ends.</summary>
        private async Task CloseAsync(SignRefusal reason, WebSocketCloseStatus status)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await SendAsync(ErrorFrame(reason), timeout.Token);
                await socket.CloseOutputAsync(status, reason.Reason, timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
            {
                logger.LogDebug("Closing a private WebSocket failed: {Error}", e.GetType().Name);
            }
            // The bot answers the close and the reader ends; one that does not is cut off shortly.
            _stop.CancelAfter(TimeSpan.FromSeconds(5));
        }

        private async Task SendAsync(ReadOnlyMemory<byte> frame, CancellationToken ct)
        {
            await _send.WaitAsync(ct);
            try { await socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, ct); }
            finally { _send.Release(); }
        }

        private static byte[] ErrorFrame(SignRefusal refusal) =>
            JsonSerializer.SerializeToUtf8Bytes(new { error = new { name = refusal.Reason, message = refusal.Message } });
    }
}
