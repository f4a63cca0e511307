using System.Net;
using Appliance.Common;
using Appliance.Pipeline;
using Appliance.Upbit;
using Appliance.V1;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Appliance.Grpc;

/// <summary>The appliance.v1.Signer service: a thin adapter from gRPC to the sign pipeline.</summary>
public sealed class SignerService(
    SignPipeline pipeline,
    StatusReporter status,
    ILogger<SignerService> logger) : Signer.SignerBase
{
    public override async Task<SignResponse> Sign(SignRequest request, ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var call = new SignCall(
            http.Connection.ClientCertificate,
            http.Connection.RemoteIpAddress ?? IPAddress.None,
            request.Method,
            request.Path,
            request.Params.Select(p => new UpbitParam(p.Key, p.Value)).ToList(),
            request.Credential,
            request.RequestId,
            request.ClientTime?.ToDateTimeOffset())
        {
            Deadline = context.Deadline == DateTime.MaxValue ? null : new DateTimeOffset(context.Deadline, TimeSpan.Zero),
        };
        var result = await Run(() => pipeline.SignAsync(call, context.CancellationToken));
        return new SignResponse
        {
            Authorization = result.Authorization,
            UrlQuery = result.UrlQuery,
            BodyJson = result.BodyJson,
            QueryString = result.QueryString,
            AuditId = result.AuditId,
            Approval = result.Approval,
            ApprovalWaitMs = (uint)Math.Min(uint.MaxValue, result.ApprovalWaited.TotalMilliseconds),
        };
    }

    public override async Task<SignResponse> SignWebSocket(SignWebSocketRequest request, ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var call = new SignCall(
            http.Connection.ClientCertificate,
            http.Connection.RemoteIpAddress ?? IPAddress.None,
            "GET", SignPipeline.WebSocketPath, [], request.Credential, request.RequestId,
            request.ClientTime?.ToDateTimeOffset());
        var result = await Run(() => pipeline.SignWebSocketAsync(call, context.CancellationToken));
        return new SignResponse { Authorization = result.Authorization, AuditId = result.AuditId, Approval = result.Approval };
    }

    public override async Task<ApplianceStatus> GetStatus(GetStatusRequest request, ServerCallContext context)
    {
        var http = context.GetHttpContext();
        return await Run(() => Task.FromResult(status.Report(
            http.Connection.ClientCertificate, http.Connection.RemoteIpAddress ?? IPAddress.None)));
    }

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
            throw new RpcException(new global::Grpc.Core.Status(StatusCode.Cancelled, "The caller cancelled; nothing was signed."));
        }
        catch (Exception e) when (e is not RpcException)
        {
            // The type only: exception messages may carry paths or state, never meant for a bot.
            logger.LogError(e, "Sign request failed");
            throw new RpcException(new global::Grpc.Core.Status(StatusCode.Internal,
                $"The appliance failed to sign ({e.GetType().Name}); nothing was signed. The operator's log has details."));
        }
    }
}
