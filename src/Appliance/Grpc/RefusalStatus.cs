using Appliance.Common;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace Appliance.Grpc;

/// <summary>Turns a SignRefusal into a gRPC status carrying google.rpc.ErrorInfo with the reason code.</summary>
public static class RefusalStatus
{
    public static RpcException ToRpcException(SignRefusal refusal)
    {
        var status = new Google.Rpc.Status
        {
            Code = (int)ToCode(refusal.Kind),
            Message = refusal.Message,
            Details =
            {
                Any.Pack(new ErrorInfo { Reason = refusal.Reason, Domain = Reasons.Domain }),
            },
        };
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
