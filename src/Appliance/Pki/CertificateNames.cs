using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Pki;

/// <summary>Subject and SAN construction, with the input checks they need.</summary>
internal static class CertificateNames
{
    public const string BotOrganization = "appliance-bot";

    /// <summary>X.520 caps commonName at 64 characters.</summary>
    public const int MaxCommonNameLength = 64;

    public static void RequireCommonName(string? name, string paramName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name, paramName);
        if (name.Length > MaxCommonNameLength)
            throw new ArgumentException($"'{name[..16]}…' is longer than {MaxCommonNameLength} characters; choose a shorter name.", paramName);
        if (name.Any(char.IsControl) || name.Trim().Length != name.Length)
            throw new ArgumentException("The name must not contain control characters or leading/trailing spaces.", paramName);
    }

    /// <summary>The builder escapes the values, so a name like "x, O=evil" cannot add attributes.</summary>
    public static X500DistinguishedName Subject(string commonName, string organization)
    {
        // The builder takes RDNs most-specific first (display order) and encodes them reversed,
        // so the DER reads O then CN, as conventional.
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName(commonName);
        builder.AddOrganizationName(organization);
        return builder.Build();
    }

    public static X509Extension SubjectAlternativeName(IEnumerable<string> dnsNames, IEnumerable<IPAddress> ipAddresses)
    {
        var names = new List<string>(ServerNames.AlwaysDnsNames);
        foreach (var name in dnsNames)
        {
            if (!ServerNames.IsValidDnsName(name))
                throw new ArgumentException(
                    $"'{name}' is not a valid DNS name (letters, digits, hyphens, dots); pass IP addresses separately.", nameof(dnsNames));
            if (!names.Contains(name, StringComparer.OrdinalIgnoreCase)) names.Add(name.ToLowerInvariant());
        }

        var addresses = new List<IPAddress>(ServerNames.AlwaysIpAddresses);
        foreach (var address in ipAddresses)
        {
            ArgumentNullException.ThrowIfNull(address, nameof(ipAddresses));
            if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
                throw new ArgumentException(
                    "A wildcard address cannot be a certificate name; use ServerNames.Default to expand it.", nameof(ipAddresses));
            var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : new IPAddress(address.GetAddressBytes());
            if (!addresses.Contains(plain)) addresses.Add(plain);
        }

        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names) san.AddDnsName(name);
        foreach (var address in addresses) san.AddIpAddress(address);
        return san.Build(critical: false);
    }
}
