using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using Appliance.Client;
using Appliance.Front;
using Appliance.Tests.EndToEnd;

namespace Appliance.Tests.Front;

/// <summary>Helpers for talking to the HTTPS front as a bot does: the .NET client, and raw HTTP/1.1 bytes.</summary>
internal static class FrontHttp
{
    /// <summary>The product's HttpClient factory (Appliance.Client) for a bundle, aimed at the test appliance.</summary>
    public static HttpClient Client(TestAppliance appliance, string? bundleDir = null) =>
        ApplianceHttp.CreateClient(ApplianceBundle.Load(bundleDir ?? appliance.BundleDir), appliance.Address);

    public static Task<HttpResponseMessage> PostJson(this HttpClient client, string path, string json, string? requestId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (requestId is not null) request.Headers.Add("X-Request-Id", requestId);
        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> Send(this HttpClient client, HttpMethod method, string pathAndQuery, string? requestId = null)
    {
        var request = new HttpRequestMessage(method, pathAndQuery);
        if (requestId is not null) request.Headers.Add("X-Request-Id", requestId);
        return client.SendAsync(request);
    }

    /// <summary>An appliance refusal: the status, X-Appliance-Reason, and the body shape of the front's table.</summary>
    public static async Task<string> AssertRefused(HttpResponseMessage response, int status, string reason)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"expected {status} {reason}, got {(int)response.StatusCode}: {body}");
        Assert.Equal(reason, Assert.Single(response.Headers.GetValues(FrontAnswers.ReasonHeader)));
        if (status is 400 or 401 or 403 or 409)
        {
            using var json = JsonDocument.Parse(body);
            Assert.Equal(reason, json.RootElement.GetProperty("error").GetProperty("name").GetString());
        }
        else
        {
            Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
            Assert.StartsWith(reason + ": ", body, StringComparison.Ordinal);
        }
        return body;
    }

    /// <summary>
    /// Writes <paramref name="head"/> (request line and headers, without the final blank line) as raw
    /// HTTP/1.1 over TLS with the bundle's certificate, so the target reaches Kestrel byte for byte
    /// (HttpClient's Uri would remove "..", for one). Returns the status and the whole answer.
    /// </summary>
    public static async Task<(int Status, string Answer)> RawHttp1Async(TestAppliance appliance, string head, string body = "", string? bundleDir = null)
    {
        using var bundle = ApplianceBundle.Load(bundleDir ?? appliance.BundleDir);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(appliance.Address.Host, appliance.Address.Port);
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = appliance.Address.Host,
            ClientCertificates = [bundle.ClientCertificate],
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            RemoteCertificateValidationCallback = (_, _, _, _) => true, // the server is the test's own appliance
        });
        var bytes = Encoding.ASCII.GetBytes($"{head}\r\nHost: {appliance.Address.Authority}\r\nConnection: close\r\n"
            + (body.Length > 0 ? $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n" : "") + "\r\n" + body);
        await tls.WriteAsync(bytes);
        using var reader = new StreamReader(tls, Encoding.UTF8);
        var answer = await reader.ReadToEndAsync();
        var status = int.Parse(answer.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.StartsWith("HTTP/1.1 ", answer, StringComparison.Ordinal);
        return (status, answer);
    }
}
