using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Appliance.StandIn;

/// <summary>
/// One private WebSocket connection. A single send loop owns outgoing frames (events, {"status":"UP"},
/// error frames), so frames never interleave. Data frames are binary UTF-8 JSON (inferred: public Upbit
/// clients decode binary frames; ccxt accepts either). Ping frames are answered with pong by the
/// WebSocket layer. The connection is closed after <see cref="StandInOptions.WebSocketIdleTimeout"/>
/// without a byte either way (pings included), as Upbit does after ~120 s.
/// </summary>
internal sealed class SocketSession(WebSocket socket, ActivityStream activity, string pocketUuid, StandInOptions options)
{
    private const int MaxMessageBytes = 64 * 1024;
    private readonly Channel<byte[]> _outgoing = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private volatile Subscription? _subscription;
    private readonly Queue<DateTimeOffset> _received = new(); // when the last minute's messages came, for the limit
    private volatile bool _overLimit;

    /// <summary>Queues an event if this connection's pocket and subscription want it. Never blocks.</summary>
    public void Offer(string pocket, string type, string? market, JsonObject message)
    {
        var subscription = _subscription;
        if (pocket != pocketUuid || subscription is null || !subscription.Wants(type, market))
        {
            return;
        }

        JsonNode frame = subscription.JsonList ? new JsonArray(message.DeepClone()) : message;
        _outgoing.Writer.TryWrite(Encoding.UTF8.GetBytes(frame.ToJsonString()));
    }

    /// <summary>Runs until the client closes, the idle timeout passes, or <paramref name="stop"/> fires (server shutdown).</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        using var sending = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var sender = SendLoopAsync(sending.Token);
        var receiver = ReceiveLoopAsync(stop);
        var idle = IdleAsync(sending.Token);
        var first = await Task.WhenAny(receiver, idle);
        if (_overLimit)
        {
            await Swallow(sender.WaitAsync(TimeSpan.FromSeconds(5))); // the error frame goes out before the close
        }

        await sending.CancelAsync();
        await Swallow(sender);
        if (_overLimit)
        {
            await CloseAsync(UpbitErrorNames.TooManyRequests, WebSocketCloseStatus.PolicyViolation);
        }
        else if (first == idle && !stop.IsCancellationRequested)
        {
            await CloseAsync($"idle: no data for {options.WebSocketIdleTimeout.TotalSeconds:0} s");
            await Swallow(receiver.WaitAsync(TimeSpan.FromSeconds(5)));
        }
        else if (socket.State == WebSocketState.CloseReceived)
        {
            await CloseAsync("");
        }

        socket.Abort();
        await Swallow(idle);
    }

    private async Task ReceiveLoopAsync(CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                using var message = new MemoryStream();
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(), ct);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage && message.Length <= MaxMessageBytes);

                if (OverLimit())
                {
                    Send(Answers.Error(UpbitErrorNames.TooManyRequests,
                        $"more than {options.WebSocketMessageLimit.PerSecond} messages per second or {options.WebSocketMessageLimit.PerMinute} per minute on one connection"));
                    _overLimit = true;
                    _outgoing.Writer.TryComplete();
                    return; // RunAsync closes it
                }

                Handle(message.Length > MaxMessageBytes ? null : Encoding.UTF8.GetString(message.ToArray()));
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // The client went away or the server is stopping: the session ends either way.
        }
    }

    /// <summary>Counts this message against the connection's limit; true when it is one too many.</summary>
    private bool OverLimit()
    {
        var now = options.TimeProvider.GetUtcNow();
        while (_received.TryPeek(out var at) && now - at >= TimeSpan.FromMinutes(1))
        {
            _received.Dequeue();
        }

        _received.Enqueue(now);
        var (perSecond, perMinute) = options.WebSocketMessageLimit;
        return _received.Count > perMinute || _received.Count(at => now - at < TimeSpan.FromSeconds(1)) > perSecond;
    }

    private void Handle(string? text)
    {
        if (text == "PING")
        {
            Send(new JsonObject { ["status"] = "UP" });
            return;
        }

        try
        {
            _subscription = Subscription.Parse(text ?? throw new UpbitRejection(400, UpbitErrorNames.WrongFormat, $"message over {MaxMessageBytes} bytes; send a short request"));
        }
        catch (UpbitRejection error)
        {
            Send(Answers.Error(error.ErrorName, error.Message));
        }
    }

    /// <summary>Sends an error frame, then closes: Upbit answers a bad token with INVALID_AUTH.</summary>
    public async Task RefuseAsync(string name, string message)
    {
        Send(Answers.Error(name, message));
        _outgoing.Writer.TryComplete();
        await Swallow(SendLoopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5)));
        await CloseAsync("INVALID_AUTH", WebSocketCloseStatus.PolicyViolation);
        socket.Abort();
    }

    private void Send(JsonNode json) => _outgoing.Writer.TryWrite(Encoding.UTF8.GetBytes(json.ToJsonString()));

    private async Task SendLoopAsync(CancellationToken ct)
    {
        await foreach (var frame in _outgoing.Reader.ReadAllAsync(ct))
        {
            await socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, ct);
        }
    }

    private async Task IdleAsync(CancellationToken ct)
    {
        var time = options.TimeProvider;
        while (true)
        {
            var due = activity.LastActivity + options.WebSocketIdleTimeout;
            var now = time.GetUtcNow();
            if (now >= due)
            {
                return;
            }

            await Task.Delay(due - now, time, ct);
        }
    }

    private async Task CloseAsync(string reason, WebSocketCloseStatus status = WebSocketCloseStatus.NormalClosure)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await Swallow(socket.CloseOutputAsync(status, reason, timeout.Token));
    }

    private static async Task Swallow(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or TimeoutException or ObjectDisposedException)
        {
            // Closing a connection that is already gone is not an error for a test double.
        }
    }
}
