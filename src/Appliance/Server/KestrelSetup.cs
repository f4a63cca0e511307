using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Appliance.Config;
using Appliance.Policy;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Appliance.Server;

/// <summary>
/// The one listener for gRPC and the HTTPS front: TLS 1.2+, HTTP/1.1 and HTTP/2 (ALPN), a client
/// certificate required and admitted in the handshake only if the registry issued it (so an unknown
/// certificate never reaches a request: nothing is parsed, audited, counted by name or alerted on).
/// </summary>
public static class KestrelSetup
{
    /// <summary>Upbit requests are small; gRPC messages and front bodies are refused beyond this.</summary>
    public const int MaxRequestBytes = 16 * 1024;

    public static void Configure(KestrelServerOptions kestrel, IEnumerable<System.Net.IPEndPoint> listen, X509Certificate2 serverCertificate,
        Func<string, bool> isIssued, BotConnections connections, Action? onUnknownPeer = null)
    {
        kestrel.AddServerHeader = false;
        kestrel.Limits.MaxRequestBodySize = MaxRequestBytes;
        kestrel.Limits.MaxRequestLineSize = MaxRequestBytes;
        kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
        kestrel.Limits.Http2.MaxStreamsPerConnection = 256;
        foreach (var endPoint in listen)
            kestrel.Listen(endPoint, options =>
            {
                options.Protocols = HttpProtocols.Http1AndHttp2;
                options.UseHttps(https =>
                {
                    https.ServerCertificate = serverCertificate;
                    https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
                    https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                    // Identity is the pinned thumbprint, not a chain: the handshake admits only certificates
                    // this appliance issued to a bot; revocation and expiry are judged per request with a reason.
                    https.ClientCertificateValidation = (certificate, _, _) =>
                    {
                        if (isIssued(Thumbprints.Sha256Hex(certificate))) return true;
                        onUnknownPeer?.Invoke(); // counted, never named
                        return false;
                    };
                });
                options.Use(connections.Middleware);
            });
    }
}
