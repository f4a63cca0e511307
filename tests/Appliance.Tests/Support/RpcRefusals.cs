using Google.Rpc;
using Grpc.Core;

namespace Appliance.Tests.Support;

/// <summary>Asserts a gRPC call was refused with the given status and ErrorInfo reason.</summary>
public static class RpcRefusals
{
    public static async Task<RpcException> AssertRefused(StatusCode code, string reason, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(code, e.StatusCode);
        var info = e.GetRpcStatus()?.GetDetail<ErrorInfo>();
        Assert.NotNull(info);
        Assert.Equal(reason, info.Reason);
        Assert.Equal("appliance.v1", info.Domain);
        Assert.False(string.IsNullOrWhiteSpace(e.Status.Detail));
        return e;
    }
}
