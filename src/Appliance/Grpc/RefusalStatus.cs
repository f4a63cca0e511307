using System.Globalization;
using Appliance.Common;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace Appliance.Grpc;

/// <summary>Turns a SignRefusal into a gRPC status carrying google.rpc.ErrorInfo with the reason code (and RetryInfo for rate limits).</summary>
public static class RefusalStatus
{
    public static RpcException ToRpcException(SignRefusal refusal)
    {
        var info = new ErrorInfo { Reason = refusal.Reason, Domain = Refusals.Domain };
        if (refusal.Identifier is { } identifier) info.Metadata["identifier"] = identifier;
        if (refusal.RetryAfter is { } wait) info.Metadata["retry_after_ms"] = ((long)wait.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        var status = new Google.Rpc.Status { Code = (int)ToCode(refusal.Kind), Message = refusal.Message, Details = { Any.Pack(info) } };
        if (refusal.RetryAfter is { } retry) status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(retry) }));
        return status.ToRpcException();
    }

    public static StatusCode ToCode(RefusalKind kind) => kind switch
    {
        RefusalKind.InvalidArgument => StatusCode.InvalidArgument,
        RefusalKind.AlreadyExists => StatusCode.AlreadyExists,
        RefusalKind.PermissionDenied => StatusCode.PermissionDenied,
        RefusalKind.Unauthenticated => StatusCode.Unauthenticated,
        RefusalKind.FailedPrecondition => StatusCode.FailedPrecondition,
        RefusalKind.ResourceExhausted => StatusCode.ResourceExhausted,
        RefusalKind.Unavailable => StatusCode.Unavailable,
        _ => StatusCode.Internal,
    };
}
