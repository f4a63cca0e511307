using System.Threading.Channels;
using Appliance.Common;
using Appliance.Orders;
using Appliance.Policy;

namespace Appliance.Streams;

/// <summary>
/// One bot's subscription on a shared upstream connection: the events meant for it, queued for its
/// transport (gRPC stream or front WebSocket) to write. The queue is bounded: a bot that does not read
/// is cut off (STREAM_BACKLOG) rather than holding the appliance's memory.
/// </summary>
public sealed class StreamListener
{
    public const int MaxQueued = 1024;

    private readonly Channel<ReadOnlyMemory<byte>> _events = Channel.CreateBounded<ReadOnlyMemory<byte>>(
        new BoundedChannelOptions(MaxQueued) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly TaskCompletionSource<SignRefusal?> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile StreamSubscription _subscription;

    internal StreamListener(StreamGrant grant, Action<StreamListener> onEnd)
    {
        Bot = grant.Bot;
        Credential = grant.Credential;
        AuditId = grant.AuditId;
        _subscription = grant.Subscription;
        _ended.Task.ContinueWith(_ => onEnd(this), TaskScheduler.Default);
    }

    public BotProfile Bot { get; }

    public string Credential { get; }

    /// <summary>The audit record of the subscription that opened this stream.</summary>
    public string AuditId { get; }

    public StreamSubscription Subscription => _subscription;

    /// <summary>Events for this bot, each one upstream message (UTF-8 JSON); completes when the stream ends.</summary>
    public ChannelReader<ReadOnlyMemory<byte>> Events => _events.Reader;

    /// <summary>Completes when the stream ends: null when the bot closed it, else why the appliance ended it.</summary>
    public Task<SignRefusal?> Ended => _ended.Task;

    /// <summary>A newer request on the same WebSocket replaces the subscription, as on Upbit.</summary>
    internal void Replace(StreamSubscription subscription) => _subscription = subscription;

    /// <summary>Queues the event if it is for this bot; never blocks the upstream reader.</summary>
    internal void Offer(ReadOnlyMemory<byte> message, StreamEvent e, OrderOwners owners)
    {
        var subscription = _subscription;
        if (_ended.Task.IsCompleted || !e.IsFor(Bot, subscription, owners)) return;
        var frame = subscription.JsonList ? Wrap(message) : message;
        if (!_events.Writer.TryWrite(frame)) End(Refusals.StreamBacklog(MaxQueued));
    }

    /// <summary>Ends the stream; the first reason given wins.</summary>
    public void End(SignRefusal? reason)
    {
        if (_ended.TrySetResult(reason)) _events.Writer.TryComplete();
    }

    private static ReadOnlyMemory<byte> Wrap(ReadOnlyMemory<byte> message)
    {
        var framed = new byte[message.Length + 2];
        framed[0] = (byte)'[';
        message.Span.CopyTo(framed.AsSpan(1));
        framed[^1] = (byte)']';
        return framed;
    }
}
