using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Appliance.Client;

namespace Appliance.Tests.BadInput;

/// <summary>One HTTP/1.1 response as read off the wire.</summary>
public sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var v) ? v : null;
}

/// <summary>
/// Writes exact bytes to the HTTPS front over mutual TLS, so a test can send what no HTTP client would (two lengths,
/// a bare LF, a byte that is not UTF-8), then closes its side and reads every response the server wrote: a
/// smuggled second request shows up as a second response.
/// </summary>
public static class RawHttps
{
    public static async Task<IReadOnlyList<RawResponse>> SendAsync(Uri address, ApplianceBundle bundle, byte[] request, CancellationToken cancellationToken)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, address.Port, cancellationToken);
        await using var tls = new SslStream(tcp.GetStream());
        var chain = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        chain.CustomTrustStore.Add(bundle.CaCertificate);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = address.Host,
            ClientCertificates = [bundle.ClientCertificate],
            CertificateChainPolicy = chain,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        }, cancellationToken);
        try
        {
            await tls.WriteAsync(request, cancellationToken);
            await tls.FlushAsync(cancellationToken);
            await tls.ShutdownAsync(); // close_notify: the server sees the end of the request stream
        }
        catch (IOException)
        {
            // The server may refuse and close before it has read everything (oversize): read what it answered.
        }
        var received = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await tls.ReadAsync(buffer, cancellationToken)) > 0) received.Write(buffer, 0, read);
        }
        catch (IOException) { }
        return Parse(received.ToArray());
    }

    /// <summary>Every response in <paramref name="bytes"/>: Content-Length or chunked bodies.</summary>
    public static IReadOnlyList<RawResponse> Parse(byte[] bytes)
    {
        var text = Encoding.Latin1.GetString(bytes);
        var responses = new List<RawResponse>();
        var at = 0;
        while (at < text.Length)
        {
            var headEnd = text.IndexOf("\r\n\r\n", at, StringComparison.Ordinal);
            if (headEnd < 0) break;
            var lines = text[at..headEnd].Split("\r\n");
            var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            var headers = new Dictionary<string, string>();
            foreach (var line in lines.Skip(1))
            {
                var colon = line.IndexOf(':');
                if (colon > 0) headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
            }
            at = headEnd + 4;
            var body = new StringBuilder();
            if (headers.TryGetValue("content-length", out var length))
            {
                var n = Math.Min(int.Parse(length, System.Globalization.CultureInfo.InvariantCulture), text.Length - at);
                body.Append(text, at, n);
                at += n;
            }
            else if (headers.TryGetValue("transfer-encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                while (at < text.Length)
                {
                    var eol = text.IndexOf("\r\n", at, StringComparison.Ordinal);
                    if (eol < 0) { at = text.Length; break; }
                    var size = Convert.ToInt32(text[at..eol].Split(';')[0], 16);
                    at = eol + 2;
                    if (size == 0) { at = Math.Min(text.Length, at + 2); break; }
                    body.Append(text, at, Math.Min(size, text.Length - at));
                    at = Math.Min(text.Length, at + size + 2);
                }
            }
            responses.Add(new RawResponse(status, headers, body.ToString()));
        }
        return responses;
    }
}
