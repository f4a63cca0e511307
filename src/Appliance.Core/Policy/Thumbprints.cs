using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Policy;

/// <summary>How a bot is known: the SHA-256 of its certificate's DER encoding, lowercase hex.</summary>
public static class Thumbprints
{
    public static string Sha256Hex(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Sha256Hex(certificate.RawData);
    }

    public static string Sha256Hex(ReadOnlySpan<byte> derCertificate)
    {
        if (derCertificate.IsEmpty)
            throw new ArgumentException("The certificate has no DER bytes.", nameof(derCertificate));
        return Convert.ToHexStringLower(SHA256.HashData(derCertificate));
    }
}
