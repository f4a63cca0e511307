using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Appliance.Server;

/// <summary>
/// Lets gRPC refuse an oversize message itself. Kestrel's body limit (<see cref="KestrelSetup.MaxRequestBytes"/>)
/// counts gRPC's 5-byte frame header too, so a message just over 16 KiB failed inside the handler
/// ("Exception was thrown by handler", status UNKNOWN, an error line in the log) before gRPC's own
/// MaxReceiveMessageSize could answer RESOURCE_EXHAUSTED: Kestrel counts every byte the client has sent, and gRPC reads
/// what has arrived before it looks at the frame's length. So gRPC requests get a body limit above what one read can
/// bring (Kestrel's HTTP/2 stream window, 768 KiB), and gRPC refuses any message over 16 KiB from its frame header,
/// before it buffers it. The message limit itself is unchanged.
/// </summary>
public static class GrpcBodyLimit
{
    /// <summary>The body limit for gRPC requests: above one HTTP/2 stream window, so the message limit answers first.</summary>
    public const int GrpcBodyBytes = 1024 * 1024;

    public static Task Apply(HttpContext http, RequestDelegate next)
    {
        if (http.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true
            && http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = GrpcBodyBytes;
        return next(http);
    }
}
