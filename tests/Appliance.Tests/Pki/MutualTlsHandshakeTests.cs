using Appliance.Client;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Appliance.Pki;
using Appliance.Policy;

namespace Appliance.Tests.Pki;

/// <summary>
/// A real TLS handshake on loopback with the certificates exactly as the CA returns them (no
/// PKCS#12 re-import): the server requires a client certificate and checks it with
/// ChainValidator; the client trusts only ca.pem, the way a stock gRPC client does.
/// </summary>
public class MutualTlsHandshakeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    public async Task MutualTls_WithCaIssuedCertificates_Succeeds(string targetHost)
    {
        using var ca = ApplianceCa.Create("Handshake CA", TimeProvider.System);
        using var server = ca.IssueServerCertificate([], []);
        using var bot = ca.IssueBotCertificate("bot-tls");

        var result = await Handshake(ca.Certificate, server, bot, targetHost);

        Assert.Null(result.ServerError);
        Assert.Null(result.ClientError);
        Assert.Equal(SslPolicyErrors.None, result.ClientSawPolicyErrors);
        Assert.Equal(Thumbprints.Sha256Hex(bot), result.ServerSawClientThumbprint);
        Assert.Equal("pong", result.Reply);
    }

    [Fact]
    public async Task MutualTls_WithCertificatesLoadedFromPemFilesAndABundle_Succeeds()
    {
        // The runtime path: the server loads its PEM pair from disk, the bot loads its bundle.
        using var dir = new TempDir();
        using var ca = ApplianceCa.Create("Handshake CA", TimeProvider.System);
        using (var issued = ca.IssueServerCertificate([], []))
        {
            PemFiles.WriteCertificate(dir.Combine("server.pem"), issued);
            PemFiles.WritePrivateKey(dir.Combine("server.key"), issued);
        }
        using (var issuedBot = ca.IssueBotCertificate("bundled-bot"))
            BotBundle.Write(dir.Combine("bundle"), new Uri("https://127.0.0.1:1"), "bundled-bot", issuedBot, ca.Certificate);
        using var server = PemFiles.LoadCertificateWithKey(dir.Combine("server.pem"), dir.Combine("server.key"), "test");
        using var bundle = ApplianceBundle.Load(dir.Combine("bundle"));

        var result = await Handshake(bundle.CaCertificate, server, bundle.ClientCertificate, "127.0.0.1");

        Assert.Null(result.ServerError);
        Assert.Null(result.ClientError);
        Assert.Equal(Thumbprints.Sha256Hex(bundle.ClientCertificate), result.ServerSawClientThumbprint);
        Assert.Equal("pong", result.Reply);
    }

    [Fact]
    public async Task MutualTls_WithAClientCertificateFromAnotherCa_IsRefusedByTheServer()
    {
        using var ca = ApplianceCa.Create("Handshake CA", TimeProvider.System);
        using var other = ApplianceCa.Create("Handshake CA", TimeProvider.System);
        using var server = ca.IssueServerCertificate([], []);
        using var stranger = other.IssueBotCertificate("intruder");

        var result = await Handshake(ca.Certificate, server, stranger, "127.0.0.1");

        Assert.IsType<AuthenticationException>(result.ServerError);
        Assert.Contains("not signed by this appliance's CA", result.ServerValidationError);
        Assert.Null(result.Reply);
    }

    [Fact]
    public async Task MutualTls_WithoutAClientCertificate_IsRefusedByTheServer()
    {
        using var ca = ApplianceCa.Create("Handshake CA", TimeProvider.System);
        using var server = ca.IssueServerCertificate([], []);

        var result = await Handshake(ca.Certificate, server, clientCertificate: null, "127.0.0.1");

        Assert.IsType<AuthenticationException>(result.ServerError);
        Assert.Equal("no client certificate", result.ServerValidationError);
        Assert.Null(result.Reply);
    }

    [Fact]
    public async Task Client_RejectsAServerCertificateFromAnotherCa()
    {
        using var ca = ApplianceCa.Create("Handshake CA", TimeProvider.System);
        using var other = ApplianceCa.Create("Other CA", TimeProvider.System);
        using var server = other.IssueServerCertificate([], []);
        using var bot = ca.IssueBotCertificate("bot");

        var result = await Handshake(ca.Certificate, server, bot, "localhost");

        Assert.IsType<AuthenticationException>(result.ClientError);
        Assert.NotEqual(SslPolicyErrors.None, result.ClientSawPolicyErrors);
        Assert.Null(result.Reply);
    }

    private sealed record HandshakeResult(
        Exception? ServerError,
        string? ServerValidationError,
        string? ServerSawClientThumbprint,
        Exception? ClientError,
        SslPolicyErrors ClientSawPolicyErrors,
        string? Reply);

    private static async Task<HandshakeResult> Handshake(
        X509Certificate2 caCertificate, X509Certificate2 serverCertificate, X509Certificate2? clientCertificate, string targetHost)
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        string? serverValidationError = null;
        string? clientThumbprint = null;
        var serverTask = Task.Run(async () =>
        {
            using var tcp = await listener.AcceptTcpClientAsync(cts.Token);
            await using var tls = new SslStream(tcp.GetStream());
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = serverCertificate,
                ClientCertificateRequired = true,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    if (certificate is not X509Certificate2 leaf) { serverValidationError = "no client certificate"; return false; }
                    if (!ChainValidator.IsIssuedBy(leaf, caCertificate, CertificatePurpose.ClientAuth, DateTimeOffset.UtcNow, out var error))
                    {
                        serverValidationError = error;
                        return false;
                    }
                    clientThumbprint = Thumbprints.Sha256Hex(leaf);
                    return true;
                },
            }, cts.Token);
            var buffer = new byte[4];
            await tls.ReadExactlyAsync(buffer, cts.Token);
            Assert.Equal("ping"u8.ToArray(), buffer);
            await tls.WriteAsync("pong"u8.ToArray(), cts.Token);
            await tls.FlushAsync(cts.Token);
        });

        var policyErrors = SslPolicyErrors.None;
        Exception? clientError = null;
        string? reply = null;
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, port, cts.Token);
            await using var tls = new SslStream(tcp.GetStream());
            var chainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
                DisableCertificateDownloads = true,
            };
            chainPolicy.CustomTrustStore.Add(caCertificate);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = targetHost,
                ClientCertificates = clientCertificate is null ? null : new X509CertificateCollection { clientCertificate },
                CertificateChainPolicy = chainPolicy,
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    policyErrors = errors;
                    return errors == SslPolicyErrors.None
                        && certificate is X509Certificate2 leaf
                        && ChainValidator.IsIssuedBy(leaf, caCertificate, CertificatePurpose.ServerAuth, DateTimeOffset.UtcNow, out _);
                },
            }, cts.Token);
            await tls.WriteAsync("ping"u8.ToArray(), cts.Token);
            await tls.FlushAsync(cts.Token);
            var buffer = new byte[4];
            await tls.ReadExactlyAsync(buffer, cts.Token);
            reply = System.Text.Encoding.ASCII.GetString(buffer);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or EndOfStreamException)
        {
            // With TLS 1.3 the client may finish its side before the server refuses its certificate;
            // the refusal then shows up as a failed read, not a failed handshake.
            clientError = e;
        }

        Exception? serverError = null;
        try { await serverTask; }
        catch (Exception e) when (e is AuthenticationException or IOException or EndOfStreamException) { serverError = e; }

        return new HandshakeResult(serverError, serverValidationError, clientThumbprint, clientError, policyErrors, reply);
    }
}
