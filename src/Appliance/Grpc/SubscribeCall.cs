using System.Net;
using System.Text;
using Appliance.Common;
using Appliance.Streams;
using Appliance.V1;
using Grpc.Core;

namespace Appliance.Grpc;

/// <summary>
/// gRPC Subscribe: the relay's events as a server stream of UpbitEvent{json}. It runs until the bot cancels
/// (OK), or the appliance ends it: revoked, paused, key pulled, too slow (the refusal's status and reason).
/// </summary>
public static class SubscribeCall
{
    /// <summary>Response header of an admitted subscription: its audit record. A refusal has no headers (trailers only).</summary>
    public const string AuditIdHeader = "x-appliance-audit-id";

    public static async Task RunAsync(StreamRelay relay, SubscribeRequest request, IServerStreamWriter<UpbitEvent> stream, ServerCallContext context)
    {
        var http = context.GetHttpContext();
        StreamListener listener;
        try
        {
            var wanted = SubscriptionFrames.Build(request.Types_, request.Codes);
            listener = await relay.OpenAsync(http.Connection.ClientCertificate, http.Connection.RemoteIpAddress ?? IPAddress.None, request.Credential, wanted);
        }
        catch (SignRefusal refusal)
        {
            throw RefusalStatus.ToRpcException(refusal);
        }
        try
        {
            // Headers now: the bot learns the subscription is open before the first event, which may be long coming.
            await context.WriteResponseHeadersAsync(new Metadata { { AuditIdHeader, listener.AuditId } });
            await foreach (var frame in listener.Events.ReadAllAsync(context.CancellationToken))
                await stream.WriteAsync(new UpbitEvent { Json = Encoding.UTF8.GetString(frame.Span) }, context.CancellationToken);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            return; // the bot went away
        }
        finally
        {
            listener.End(null);
        }
        if (await listener.Ended is { } reason) throw RefusalStatus.ToRpcException(reason);
    }
}
