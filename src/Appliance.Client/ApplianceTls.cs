using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Client;

/// <summary>
/// TLS for talking to the appliance: present the bot certificate, and trust the server only if it
/// chains to the bundle's CA (not the system store) and its name matches the address dialled.
/// </summary>
public static class ApplianceTls
{
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

    public static SocketsHttpHandler CreateHandler(ApplianceBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        return new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [bundle.ClientCertificate],
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    ValidateServer(certificate, errors, bundle.CaCertificate),
            },
        };
    }

    internal static bool ValidateServer(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2 ca)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable)
            || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            return false;
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ServerAuthOid));
        return chain.Build(leaf);
    }
}
