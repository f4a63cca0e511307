using System.Security.Cryptography;

namespace Appliance.Pki;

/// <summary>What a leaf certificate is for: its extended key usage.</summary>
public enum CertificatePurpose
{
    /// <summary>The appliance's TLS server certificate (EKU 1.3.6.1.5.5.7.3.1).</summary>
    ServerAuth,

    /// <summary>A bot's TLS client certificate (EKU 1.3.6.1.5.5.7.3.2).</summary>
    ClientAuth,
}

public static class CertificatePurposes
{
    public const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    public static string OidValue(CertificatePurpose purpose) => purpose switch
    {
        CertificatePurpose.ServerAuth => ServerAuthOid,
        CertificatePurpose.ClientAuth => ClientAuthOid,
        _ => throw new ArgumentOutOfRangeException(nameof(purpose), purpose, "Unknown certificate purpose."),
    };

    /// <summary>A fresh Oid each call: Oid is mutable, so none is shared.</summary>
    public static Oid Oid(CertificatePurpose purpose) => new(OidValue(purpose));

    internal static string Describe(CertificatePurpose purpose) =>
        purpose == CertificatePurpose.ServerAuth ? "serverAuth" : "clientAuth";
}
