using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Appliance.Pki;

/// <summary>The DNS names and IP addresses the server certificate's SAN lists.</summary>
public sealed record ServerNames(IReadOnlyList<string> DnsNames, IReadOnlyList<IPAddress> IpAddresses)
{
    /// <summary>Names every server certificate carries so loopback clients always verify.</summary>
    public static readonly IReadOnlyList<string> AlwaysDnsNames = ["localhost"];

    public static readonly IReadOnlyList<IPAddress> AlwaysIpAddresses = [IPAddress.Loopback, IPAddress.IPv6Loopback];

    /// <summary>
    /// localhost, 127.0.0.1, ::1, the host name (and its mDNS "NAME.local"), plus each listen IP;
    /// a wildcard listen address (0.0.0.0 or ::) stands for every unicast address of the machine.
    /// </summary>
    public static ServerNames Default(IEnumerable<IPEndPoint> listenAddresses)
    {
        ArgumentNullException.ThrowIfNull(listenAddresses);
        var dns = new List<string>(AlwaysDnsNames);
        foreach (var host in new[] { Dns.GetHostName(), Environment.MachineName })
        {
            // A host name that is not a valid DNS name (underscores, say) cannot go into a SAN.
            if (!IsValidDnsName(host)) continue;
            var name = host.ToLowerInvariant();
            AddDistinct(dns, name);
            if (!name.Contains('.')) AddDistinct(dns, name + ".local");
        }

        var ips = new List<IPAddress>(AlwaysIpAddresses);
        foreach (var endpoint in listenAddresses)
        {
            ArgumentNullException.ThrowIfNull(endpoint, nameof(listenAddresses));
            var address = endpoint.Address.IsIPv4MappedToIPv6 ? endpoint.Address.MapToIPv4() : endpoint.Address;
            if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
                foreach (var local in MachineUnicastAddresses()) AddDistinct(ips, local);
            else
                AddDistinct(ips, address);
        }
        return new ServerNames(dns, ips);
    }

    /// <summary>RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens.</summary>
    public static bool IsValidDnsName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 253) return false;
        foreach (var label in name.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-') return false;
            foreach (var c in label)
                if (!(char.IsAsciiLetterOrDigit(c) || c == '-')) return false;
        }
        return true;
    }

    private static IEnumerable<IPAddress> MachineUnicastAddresses()
    {
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
        {
            var address = unicast.Address;
            // Link-local IPv6 needs a zone id to dial, so no client would match it against a SAN.
            if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv6LinkLocal) continue;
            // Drop any zone id: a SAN holds only the bare address.
            yield return address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0
                ? new IPAddress(address.GetAddressBytes())
                : address;
        }
    }

    private static void AddDistinct(List<string> names, string name)
    {
        if (!names.Contains(name, StringComparer.OrdinalIgnoreCase)) names.Add(name);
    }

    private static void AddDistinct(List<IPAddress> addresses, IPAddress address)
    {
        if (!addresses.Contains(address)) addresses.Add(address);
    }
}
