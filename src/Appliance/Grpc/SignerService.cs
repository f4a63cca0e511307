using System.Net;
using Appliance.Common;
using Appliance.Pipeline;
using Appliance.Upbit;
using Appliance.V1;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Appliance.Grpc;

/// <summary>The appliance.v1.Signer service: a thin adapter from gRPC to the request pipeline.</summary>
public sealed class SignerService(RequestPipeline pipeline, StatusReporter status, Streams.StreamRelay streams, ILogger<SignerService> logger) : Signer.SignerBase
{
    public override Task Subscribe(SubscribeRequest request, IServerStreamWriter<UpbitEvent> responseStream, ServerCallContext context) =>
        SubscribeCall.RunAsync(streams, request, responseStream, context);

    public override async Task<SendResponse> Send(SignRequest request, ServerCallContext context)
    {
        var call = Call(CallKind.Send, request.Method, request.Path, request.Params, request.Credential, request.RequestId, request.ClientTime, context);
        var result = await Run(() => pipeline.SendAsync(call, context.CancellationToken));
        var response = new SendResponse
        {
            HttpStatus = result.HttpStatus,
            Body = ByteString.CopyFrom(result.Body.Span),
            AuditId = result.AuditId,
            Approval = result.Approval,
            ApprovalWaitMs = (uint)Math.Min(uint.MaxValue, result.ApprovalWaited.TotalMilliseconds),
            Replayed = result.Replayed,
        };
        foreach (var (name, value) in result.Headers) response.Headers[name] = value;
        return response;
    }

    public override async Task<SignResponse> Sign(SignRequest request, ServerCallContext context)
    {
        var call = Call(CallKind.Sign, request.Method, request.Path, request.Params, request.Credential, request.RequestId, request.ClientTime, context);
        return ToResponse(await Run(() => pipeline.SignAsync(call, context.CancellationToken)));
    }

    public override async Task<SignResponse> SignWebSocket(SignWebSocketRequest request, ServerCallContext context)
    {
        var call = Call(CallKind.SignWebSocket, "GET", RequestPipeline.WebSocketPath, [], request.Credential, request.RequestId, request.ClientTime, context);
        return ToResponse(await Run(() => pipeline.SignAsync(call, context.CancellationToken)));
    }

    public override async Task<ApplianceStatus> GetStatus(GetStatusRequest request, ServerCallContext context)
    {
        var http = context.GetHttpContext();
        return await Run(() => Task.FromResult(status.Report(http.Connection.ClientCertificate, http.Connection.RemoteIpAddress ?? IPAddress.None)));
    }

    private static BotCall Call(CallKind kind, string method, string path, IEnumerable<Param> parameters, string credential, string requestId,
        Google.Protobuf.WellKnownTypes.Timestamp? clientTime, ServerCallContext context)
    {
        var http = context.GetHttpContext();
        return new BotCall(http.Connection.ClientCertificate, http.Connection.RemoteIpAddress ?? IPAddress.None, kind, method, path,
            parameters.Select(p => new UpbitParam(p.Key, p.Value)).ToList(), credential, requestId.Length == 0 ? null : requestId,
            clientTime?.ToDateTimeOffset())
        {
            Deadline = context.Deadline == DateTime.MaxValue ? null : new DateTimeOffset(context.Deadline, TimeSpan.Zero),
        };
    }

    private static SignResponse ToResponse(SignResult result) => new()
    {
        Authorization = result.Authorization,
        UrlQuery = result.UrlQuery,
        BodyJson = result.BodyJson,
        QueryString = result.QueryString,
        AuditId = result.AuditId,
        Approval = result.Approval,
        ApprovalWaitMs = (uint)Math.Min(uint.MaxValue, result.ApprovalWaited.TotalMilliseconds),
    };

    private async Task<T> Run<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (SignRefusal refusal)
        {
            throw RefusalStatus.ToRpcException(refusal);
        }
        catch (OperationCanceledException)
        {
            throw new RpcException(new global::Grpc.Core.Status(StatusCode.Cancelled, "The caller cancelled; nothing was sent."));
        }
        catch (Exception e) when (e is not RpcException)
        {
            // The type only: exception messages may carry paths or state, never meant for a bot.
            logger.LogError(e, "Request failed");
            throw new RpcException(new global::Grpc.Core.Status(StatusCode.Internal,
                $"The appliance failed ({e.GetType().Name}); the operator's log has details."));
        }
    }
}
