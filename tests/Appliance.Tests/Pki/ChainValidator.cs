using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

using Appliance.Pki;

namespace Appliance.Tests.Pki;

/// <summary>
/// Checks that a leaf certificate was issued by the appliance CA for the expected purpose and is
/// valid at a given time. A test helper: the server pins bot certificates by thumbprint and never
/// needs a chain check, but the tests prove that what the CA issues is a valid chain for its purpose.
/// The cheap explicit checks come first so the error says exactly what is wrong; X509Chain then
/// proves the signature.
/// </summary>
internal static class ChainValidator
{
    public static bool IsIssuedBy(
        X509Certificate2 leaf,
        X509Certificate2 ca,
        CertificatePurpose expected,
        DateTimeOffset now,
        [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(ca);
        error = FirstProblem(leaf, ca, expected, now);
        return error is null;
    }

    private static string? FirstProblem(X509Certificate2 leaf, X509Certificate2 ca, CertificatePurpose expected, DateTimeOffset now)
    {
        var what = $"certificate '{leaf.Subject}'";
        var purpose = CertificatePurposes.Describe(expected);
        if (leaf.RawData.AsSpan().SequenceEqual(ca.RawData))
            return $"the {what} is the CA certificate itself, not a {purpose} certificate issued by it";
        if (!leaf.IssuerName.RawData.AsSpan().SequenceEqual(ca.SubjectName.RawData))
            return $"the {what} was issued by '{leaf.Issuer}', not by this appliance's CA '{ca.Subject}'";

        var caNotAfter = new DateTimeOffset(ca.NotAfter);
        if (now > caNotAfter)
            return $"the appliance CA '{ca.Subject}' expired on {caNotAfter.UtcDateTime:u}; create a new CA and re-issue certificates";
        var notBefore = new DateTimeOffset(leaf.NotBefore);
        var notAfter = new DateTimeOffset(leaf.NotAfter);
        if (now < notBefore)
            return $"the {what} is not valid until {notBefore.UtcDateTime:u} (now {now.UtcDateTime:u}); check the clocks";
        if (now > notAfter)
            return $"the {what} expired on {notAfter.UtcDateTime:u}; issue a new one (appliance bots renew)";

        if (leaf.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority))
            return $"the {what} is a CA certificate, not a {purpose} certificate";
        // A certificate without an EKU extension would pass X509Chain's policy check for any purpose.
        var eku = leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        var wanted = CertificatePurposes.OidValue(expected);
        if (eku is null || !eku.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == wanted))
        {
            var has = eku is null ? "none" : string.Join(", ", eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.FriendlyName ?? o.Value));
            return $"the {what} lacks the {purpose} extended key usage (it has: {has})";
        }
        var usage = leaf.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (usage is not null && !usage.KeyUsages.HasFlag(X509KeyUsageFlags.DigitalSignature))
            return $"the {what} lacks the digitalSignature key usage";

        return ChainProblem(leaf, ca, expected, now, what);
    }

    private static string? ChainProblem(X509Certificate2 leaf, X509Certificate2 ca, CertificatePurpose expected, DateTimeOffset now, string what)
    {
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.Add(ca);
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.VerificationTime = now.UtcDateTime;
        policy.VerificationTimeIgnored = false;
        policy.ApplicationPolicy.Add(CertificatePurposes.Oid(expected));
        try
        {
            if (!chain.Build(leaf))
            {
                var flags = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
                return Describe(flags, what, ca);
            }
            var elements = chain.ChainElements;
            if (elements.Count != 2 || !elements[^1].Certificate.RawData.AsSpan().SequenceEqual(ca.RawData))
                return $"the {what} does not chain directly to this appliance's CA '{ca.Subject}'";
            return null;
        }
        finally
        {
            foreach (var element in chain.ChainElements) element.Certificate.Dispose();
        }
    }

    private static string Describe(X509ChainStatusFlags flags, string what, X509Certificate2 ca)
    {
        if ((flags & (X509ChainStatusFlags.NotSignatureValid | X509ChainStatusFlags.PartialChain | X509ChainStatusFlags.UntrustedRoot)) != 0)
            return $"the {what} is not signed by this appliance's CA '{ca.Subject}' (a different CA with the same name?)";
        if ((flags & X509ChainStatusFlags.NotTimeValid) != 0)
            return $"the {what} or its CA is outside its validity period";
        if ((flags & X509ChainStatusFlags.NotValidForUsage) != 0)
            return $"the {what} or its CA is not valid for this usage";
        return $"the {what} failed chain validation: {flags}";
    }
}
