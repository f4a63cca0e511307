using System.Net.WebSockets;
using System.Text;
using Appliance.Common;
using Appliance.Orders;
using Microsoft.Extensions.Logging;

namespace Appliance.Streams;

/// <summary>
/// The one upstream connection of a credential, shared by every bot that subscribes through it. It runs
/// while anyone listens: connects with a fresh token (access_key + nonce, signed by the appliance), asks
/// for the union of the listeners' subscriptions (DEFAULT format), sends a text PING every
/// <see cref="StreamOptions.PingInterval"/>, and hands each message to the listeners it is for. A lost
/// connection is reopened with exponential backoff; a refusal to sign (key pulled, paused, expired
/// credential) ends every listener instead.
/// </summary>
internal sealed class CredentialRelay(
    string credential,
    Func<string, string> authorize,
    StreamOptions options,
    WindowPacer pacer,
    OrderOwners owners,
    TimeProvider time,
    ILogger logger)
{
    private static readonly byte[] Ping = "PING"u8.ToArray();

    private readonly Lock _lock = new();
    private readonly List<StreamListener> _listeners = [];
    private readonly SemaphoreSlim _send = new(1, 1);
    private WindowPacer _messages = WindowPacer.Messages(time);
    private int _subscriptionPending; // 1 while a send of the union waits its turn: later changes ride on it
    private StreamSubscription _wanted = StreamSubscription.Nothing;
    private CancellationTokenSource? _run;
    private Task _loop = Task.CompletedTask;
    private ClientWebSocket? _socket;
    private int _connects;
    private int _pings;
    private int _subscriptionsSent;

    public string Credential => credential;

    /// <summary>Upstream handshakes that succeeded so far.</summary>
    public int Connects => Volatile.Read(ref _connects);

    /// <summary>Text PINGs sent upstream so far.</summary>
    public int Pings => Volatile.Read(ref _pings);

    /// <summary>Subscription frames sent upstream so far (each union change coalesced while one waits its turn).</summary>
    public int SubscriptionsSent => Volatile.Read(ref _subscriptionsSent);

    public bool IsConnected => _socket?.State == WebSocketState.Open;

    public int ListenerCount
    {
        get { lock (_lock) return _listeners.Count; }
    }

    public void Add(StreamListener listener)
    {
        lock (_lock)
        {
            _listeners.Add(listener);
            Changed();
        }
    }

    public void Remove(StreamListener listener)
    {
        lock (_lock)
        {
            if (_listeners.Remove(listener)) Changed();
        }
    }

    /// <summary>A listener's subscription was replaced.</summary>
    public void Resubscribed()
    {
        lock (_lock) Changed();
    }

    public void EndAll(SignRefusal? reason)
    {
        List<StreamListener> all;
        lock (_lock) all = [.. _listeners];
        foreach (var listener in all) listener.End(reason);
    }

    public async Task StopAsync()
    {
        Task loop;
        lock (_lock)
        {
            _run?.Cancel();
            _run = null;
            loop = _loop;
        }
        await Quietly(loop);
    }

    // Under _lock: start, stop or re-aim the connection for the listeners there are now.
    private void Changed()
    {
        if (_listeners.Count == 0)
        {
            _run?.Cancel();
            _run = null;
            _wanted = StreamSubscription.Nothing;
            return;
        }
        var union = StreamSubscription.Union(_listeners.Select(l => l.Subscription));
        var changed = !union.Equals(_wanted);
        _wanted = union;
        if (_run is null)
        {
            var run = _run = new CancellationTokenSource();
            var previous = _loop; // a connection still closing finishes first: one connection per credential
            _loop = Task.Run(async () =>
            {
                await Quietly(previous);
                await RunAsync(run.Token);
            });
        }
        else if (changed && _socket is { } socket)
        {
            // Bots may churn their subscriptions; Upbit allows 5 messages/s and 100/min per connection, so changes
            // wait their turn and coalesce: the send that goes out carries the newest union.
            if (Interlocked.Exchange(ref _subscriptionPending, 1) == 0) _ = Quietly(SendSubscriptionAsync(socket, _run.Token));
        }
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var backoff = options.MinBackoff;
        while (!ct.IsCancellationRequested)
        {
            var heard = false;
            try
            {
                await pacer.WaitAsync(ct);
                using var socket = new ClientWebSocket();
                socket.Options.Proxy = null;
                socket.Options.KeepAliveInterval = TimeSpan.Zero; // the text PING below, on the TimeProvider
                socket.Options.SetRequestHeader("Authorization", authorize(credential));
                using (var connecting = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    connecting.CancelAfter(options.ConnectTimeout);
                    await socket.ConnectAsync(options.SocketUri, connecting.Token);
                }
                Interlocked.Increment(ref _connects);
                logger.LogInformation("Private WebSocket of credential {Credential} connected", credential);
                lock (_lock)
                {
                    _socket = socket;
                    _messages = WindowPacer.Messages(time); // Upbit counts messages per connection
                    _subscriptionPending = 1;
                }
                await SendSubscriptionAsync(socket, ct);
                heard = await PumpAsync(socket, ct);
                logger.LogInformation("Private WebSocket of credential {Credential} closed by Upbit: {Status} {Reason}",
                    credential, socket.CloseStatus, socket.CloseStatusDescription);
            }
            catch (SignRefusal refusal)
            {
                // No token can be made (key pulled, paused, credential expired): nobody on this credential can be served.
                logger.LogWarning("Private WebSocket of credential {Credential} stopped: {Reason}", credential, refusal.Reason);
                lock (_lock)
                {
                    if (_run?.Token == ct) _run = null; // a listener that comes later starts afresh
                }
                EndAll(refusal);
                return;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or HttpRequestException)
            {
                logger.LogWarning("Private WebSocket of credential {Credential} failed ({Error}); reconnecting in {Backoff}", credential, e.GetType().Name, backoff);
            }
            finally
            {
                lock (_lock) _socket = null;
            }
            if (heard) backoff = options.MinBackoff;
            try { await Task.Delay(backoff, time, ct); }
            catch (OperationCanceledException) { return; }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, options.MaxBackoff.Ticks));
        }
    }

    /// <summary>Reads messages until the connection ends; true if any arrived. Pings run beside it.</summary>
    private async Task<bool> PumpAsync(ClientWebSocket socket, CancellationToken ct)
    {
        using var pumping = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var pinger = PingAsync(socket, pumping.Token);
        var heard = false;
        try
        {
            var buffer = new byte[16 * 1024];
            using var message = new MemoryStream();
            while (true)
            {
                message.SetLength(0);
                var tooLarge = false;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(), ct);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await Quietly(socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None));
                        return heard;
                    }
                    if (message.Length + result.Count > options.MaxFrameBytes) tooLarge = true;
                    else message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);
                heard = true;
                if (tooLarge)
                {
                    logger.LogWarning("Dropped a message over {Max} bytes from the private WebSocket of credential {Credential}", options.MaxFrameBytes, credential);
                    continue;
                }
                Dispatch(message.ToArray());
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Nobody listens any more: close politely, briefly.
            using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await Quietly(socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", closing.Token));
            throw;
        }
        finally
        {
            await pumping.CancelAsync();
            await Quietly(pinger);
        }
    }

    private void Dispatch(byte[] message)
    {
        if (StreamEvent.Read(message) is not { } e)
        {
            if (message.AsSpan().IndexOf("\"error\""u8) >= 0)
                logger.LogWarning("The private WebSocket of credential {Credential} answered an error: {Message}", credential,
                    Refusals.Echo(Encoding.UTF8.GetString(message.AsSpan(0, Math.Min(message.Length, 200)))));
            return; // {"status":"UP"} and the like reach no bot
        }
        List<StreamListener> listeners;
        lock (_lock) listeners = [.. _listeners];
        foreach (var listener in listeners) listener.Offer(message, e, owners);
    }

    private async Task PingAsync(ClientWebSocket socket, CancellationToken ct)
    {
        while (true)
        {
            await Task.Delay(options.PingInterval, time, ct);
            await SendAsync(socket, Ping, ct);
            Interlocked.Increment(ref _pings);
        }
    }

    private async Task SendSubscriptionAsync(ClientWebSocket socket, CancellationToken ct)
    {
        WindowPacer messages;
        lock (_lock) messages = _messages;
        await messages.WaitAsync(ct);
        StreamSubscription wanted;
        lock (_lock)
        {
            _subscriptionPending = 0; // from here on a change needs a send of its own
            wanted = _wanted;
        }
        Interlocked.Increment(ref _subscriptionsSent);
        await SendAsync(socket, Encoding.UTF8.GetBytes(wanted.ToUpbitFrame(Guid.NewGuid().ToString())), ct, paced: true);
    }

    private async Task SendAsync(ClientWebSocket socket, byte[] text, CancellationToken ct, bool paced = false)
    {
        if (!paced)
        {
            WindowPacer messages;
            lock (_lock) messages = _messages;
            await messages.WaitAsync(ct);
        }
        await _send.WaitAsync(ct);
        try { await socket.SendAsync(text, WebSocketMessageType.Text, endOfMessage: true, ct); }
        finally { _send.Release(); }
    }

    private static async Task Quietly(Task task)
    {
        try { await task; }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException) { }
    }
}
