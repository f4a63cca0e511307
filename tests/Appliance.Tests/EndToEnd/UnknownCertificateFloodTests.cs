using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Appliance.Client;
using Appliance.Provisioning;
using Grpc.Core;

namespace Appliance.Tests.EndToEnd;

/// <summary>
/// A self-signed client certificate (named like the demo bot, with the client-auth purpose) floods the appliance over
/// gRPC and the HTTPS front. Every attempt ends in the TLS handshake: nothing on disk changes (every file under the
/// data dir keeps its size, the audit log included), /metrics gains no series, nothing reaches the exchange;
/// the one unknown-peer counter counts every refused handshake.
/// </summary>
public sealed class UnknownCertificateFloodTests
{
    private const int Attempts = 100; // per transport
    private const int Parallel = 6;

    [Fact]
    public async Task A_flood_under_an_unknown_certificate_changes_nothing_on_disk_and_adds_no_metric_series()
    {
        await using var appliance = await TestAppliance.StartAsync(s => s with { MetricsListen = "127.0.0.1:0" });
        using var bundle = ApplianceBundle.Load(appliance.BundleDir);
        using (var client = appliance.Client()) await client.SendAsync("GET", "/v1/accounts", []); // series of a known bot exist
        await Task.Delay(500); // the audit writer and metrics settle
        var reachedBefore = appliance.Exchange.Accepted.Count + appliance.Exchange.Rejected.Count;
        var filesBefore = Files(appliance.Data.Root);
        var seriesBefore = await SeriesAsync(appliance);
        var countedBefore = await UnknownPeerRefusalsAsync(appliance);
        using var stranger = SelfSigned(DemoSetup.BotName);
        using var scratch = new Support.TempDir();
        var strangerBundle = StrangerBundle(appliance.BundleDir, scratch.Sub("stranger"), stranger);

        var grpcRefused = 0;
        var frontRefused = 0;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await System.Threading.Tasks.Parallel.ForAsync(0, Attempts, new ParallelOptions { MaxDegreeOfParallelism = Parallel, CancellationToken = deadline.Token }, async (i, ct) =>
        {
            if (await GrpcRefusedAsync(appliance, strangerBundle, ct)) Interlocked.Increment(ref grpcRefused);
            if (await FrontRefusedInHandshakeAsync(appliance.Address, bundle.CaCertificate, stranger, ct)) Interlocked.Increment(ref frontRefused);
        });

        Assert.Equal(Attempts, grpcRefused);
        Assert.Equal(Attempts, frontRefused);
        Assert.Equal(reachedBefore, appliance.Exchange.Accepted.Count + appliance.Exchange.Rejected.Count);
        await Task.Delay(500);
        Assert.Equal(filesBefore, Files(appliance.Data.Root));
        var added = (await SeriesAsync(appliance)).Except(seriesBefore).ToList();
        Assert.True(added.Count == 0, "the flood added metric series:\n" + string.Join('\n', added));
        // Every refused handshake is counted (a gRPC attempt may make more than one), in the series that was already there.
        var counted = await UnknownPeerRefusalsAsync(appliance) - countedBefore;
        Assert.True(counted >= 2 * Attempts, $"the unknown-peer counter rose by {counted}, expected at least {2 * Attempts}");
    }

    /// <summary>The value of the one unknown-peer counter in a scrape.</summary>
    private static async Task<double> UnknownPeerRefusalsAsync(TestAppliance appliance)
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync(appliance.Server.Metrics.Address);
        var line = Assert.Single(text.Split('\n'), l => l.StartsWith("appliance_unknown_peer_refusals", StringComparison.Ordinal));
        return double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A gRPC Send with the stock client under the certificate: no TLS session, so no gRPC status of the appliance's.</summary>
    private static async Task<bool> GrpcRefusedAsync(TestAppliance appliance, string strangerBundle, CancellationToken ct)
    {
        using var client = appliance.Client(strangerBundle); // a new channel: every attempt is a new handshake
        try
        {
            await client.SendAsync("GET", "/v1/accounts", [], cancellationToken: ct);
            return false;
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.Internal && e.GetRpcStatus() is null)
        {
            return true;
        }
    }

    /// <summary>The demo bot's bundle with its certificate and key replaced by the stranger's: same name, same CA file.</summary>
    private static string StrangerBundle(string demoBundle, string directory, X509Certificate2 stranger)
    {
        Directory.CreateDirectory(directory);
        foreach (var file in Directory.GetFiles(demoBundle)) File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
        File.WriteAllText(Path.Combine(directory, ApplianceBundle.CertificateFileName), stranger.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, ApplianceBundle.KeyFileName), stranger.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        return directory;
    }

    /// <summary>A front request under the certificate: the handshake (or, with TLS 1.3, the first read) fails; no HTTP answer.</summary>
    private static async Task<bool> FrontRefusedInHandshakeAsync(Uri address, X509Certificate2 ca, X509Certificate2 certificate, CancellationToken ct)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, address.Port, ct);
        await using var tls = new SslStream(tcp.GetStream());
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = address.Host,
                ClientCertificates = [certificate],
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
            }, ct);
            await tls.WriteAsync("GET /v1/accounts HTTP/1.1\r\nHost: appliance\r\n\r\n"u8.ToArray(), ct);
            var buffer = new byte[64];
            return await tls.ReadAsync(buffer, ct) == 0; // closed without an answer
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            return true;
        }
    }

    private static X509Certificate2 SelfSigned(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Every file under the data dir with its size.</summary>
    private static SortedDictionary<string, long> Files(string root) =>
        new(Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".sock", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetRelativePath(root, f), f => new FileInfo(f).Length), StringComparer.Ordinal);

    /// <summary>The series of a scrape: each sample's name and labels, without its value.</summary>
    private static async Task<HashSet<string>> SeriesAsync(TestAppliance appliance)
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync(appliance.Server.Metrics.Address);
        return text.Split('\n')
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l[..l.LastIndexOf(' ')])
            .ToHashSet(StringComparer.Ordinal);
    }
}
