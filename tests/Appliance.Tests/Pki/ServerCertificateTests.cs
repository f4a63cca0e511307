using System.Net;
using System.Security.Cryptography.X509Certificates;
using Appliance.Pki;

namespace Appliance.Tests.Pki;

public class ServerCertificateTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Sans_ListTheLoopbacksAndEveryGivenName()
    {
        using var ca = ApplianceCa.Create("CA", new ManualClock(Start));
        using var server = ca.IssueServerCertificate(
            ["appliance.local", "Pi-Signer"], [IPAddress.Parse("192.168.1.20"), IPAddress.Parse("fd00::20")]);

        var san = PkiAssert.Extension<X509SubjectAlternativeNameExtension>(server);
        var dns = san.EnumerateDnsNames().ToList();
        var ips = san.EnumerateIPAddresses().ToList();
        Assert.Equal(["localhost", "appliance.local", "pi-signer"], dns);
        Assert.Equal(
            [IPAddress.Loopback, IPAddress.IPv6Loopback, IPAddress.Parse("192.168.1.20"), IPAddress.Parse("fd00::20")],
            ips);
        Assert.True(server.MatchesHostname("localhost"));
        Assert.True(server.MatchesHostname("127.0.0.1"));
        Assert.True(server.MatchesHostname("::1"));
        Assert.True(server.MatchesHostname("192.168.1.20"));
        Assert.False(server.MatchesHostname("192.168.1.21"));
    }

    [Fact]
    public void Sans_DoNotRepeatNamesGivenTwice()
    {
        using var ca = ApplianceCa.Create("CA", new ManualClock(Start));
        using var server = ca.IssueServerCertificate(["LOCALHOST", "a.b", "A.B"], [IPAddress.Loopback, IPAddress.Parse("::ffff:127.0.0.1")]);
        var san = PkiAssert.Extension<X509SubjectAlternativeNameExtension>(server);
        Assert.Equal(["localhost", "a.b"], san.EnumerateDnsNames());
        Assert.Equal([IPAddress.Loopback, IPAddress.IPv6Loopback], san.EnumerateIPAddresses());
    }

    [Fact]
    public void Extensions_AreThoseStockTlsClientsRequire()
    {
        using var ca = ApplianceCa.Create("CA", new ManualClock(Start));
        using var server = ca.IssueServerCertificate([], []);

        Assert.True(server.HasPrivateKey);
        var eku = PkiAssert.Extension<X509EnhancedKeyUsageExtension>(server);
        Assert.Equal([CertificatePurposes.ServerAuthOid], eku.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value));
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, PkiAssert.Extension<X509KeyUsageExtension>(server).KeyUsages);
        Assert.False(PkiAssert.Extension<X509BasicConstraintsExtension>(server).CertificateAuthority);

        var caSki = PkiAssert.Extension<X509SubjectKeyIdentifierExtension>(ca.Certificate).SubjectKeyIdentifierBytes;
        var aki = PkiAssert.Extension<X509AuthorityKeyIdentifierExtension>(server);
        Assert.True(aki.KeyIdentifier.HasValue);
        Assert.Equal(caSki.ToArray(), aki.KeyIdentifier.Value.ToArray());
        Assert.Equal(ca.Certificate.SubjectName.RawData, server.IssuerName.RawData);

        Assert.Equal(Start - TimeSpan.FromHours(1), new DateTimeOffset(server.NotBefore));
        Assert.Equal(Start + TimeSpan.FromDays(730), new DateTimeOffset(server.NotAfter));
    }

    [Fact]
    public void ServerCertificate_ValidatesForServerAuthButNotForClientAuth()
    {
        using var ca = ApplianceCa.Create("CA", new ManualClock(Start));
        using var server = ca.IssueServerCertificate([], []);
        Assert.True(ChainValidator.IsIssuedBy(server, ca.Certificate, CertificatePurpose.ServerAuth, Start, out var error), error);

        Assert.False(ChainValidator.IsIssuedBy(server, ca.Certificate, CertificatePurpose.ClientAuth, Start, out error));
        Assert.Contains("lacks the clientAuth extended key usage", error);
    }

    [Theory]
    [InlineData("under_score")]
    [InlineData("-leading")]
    [InlineData("a..b")]
    [InlineData("*.wild")]
    [InlineData("127.0.0.1:443")]
    [InlineData("")]
    public void BadDnsNames_AreRejected(string name)
    {
        using var ca = ApplianceCa.Create("CA", TimeProvider.System);
        Assert.Throws<ArgumentException>(() => ca.IssueServerCertificate([name], []));
    }

    [Fact]
    public void WildcardAddresses_AreRejected()
    {
        using var ca = ApplianceCa.Create("CA", TimeProvider.System);
        Assert.Throws<ArgumentException>(() => ca.IssueServerCertificate([], [IPAddress.Any]));
        Assert.Throws<ArgumentException>(() => ca.IssueServerCertificate([], [IPAddress.IPv6Any]));
    }

    [Theory]
    [InlineData("localhost", true)]
    [InlineData("raspberrypi.local", true)]
    [InlineData("a-b.c1", true)]
    [InlineData("a.", false)]
    [InlineData("a b", false)]
    [InlineData("é.local", false)]
    public void IsValidDnsName_FollowsHostNameRules(string name, bool valid) =>
        Assert.Equal(valid, ServerNames.IsValidDnsName(name));

    [Fact]
    public void DefaultNames_ForASpecificListenAddress_AddThatAddressAndTheHostName()
    {
        var names = ServerNames.Default([new IPEndPoint(IPAddress.Parse("192.0.2.5"), 50051)]);

        Assert.Contains("localhost", names.DnsNames);
        var host = Dns.GetHostName().ToLowerInvariant();
        if (ServerNames.IsValidDnsName(host)) Assert.Contains(host, names.DnsNames);
        Assert.Equal([IPAddress.Loopback, IPAddress.IPv6Loopback, IPAddress.Parse("192.0.2.5")], names.IpAddresses);
    }

    [Fact]
    public void DefaultNames_ForAWildcardListenAddress_ListTheMachineAddressesNotTheWildcard()
    {
        var names = ServerNames.Default([new IPEndPoint(IPAddress.Any, 50051), new IPEndPoint(IPAddress.IPv6Any, 50051)]);

        Assert.DoesNotContain(IPAddress.Any, names.IpAddresses);
        Assert.DoesNotContain(IPAddress.IPv6Any, names.IpAddresses);
        Assert.Equal(names.IpAddresses.Count, names.IpAddresses.Distinct().Count());
        Assert.DoesNotContain(names.IpAddresses, a => a.IsIPv6LinkLocal);
        // Every machine has at least one non-loopback unicast address in CI (the container's eth0).
        Assert.Contains(names.IpAddresses, a => !IPAddress.IsLoopback(a));

        // And the result is issuable as-is.
        using var ca = ApplianceCa.Create("CA", TimeProvider.System);
        using var server = ca.IssueServerCertificate(names);
        Assert.Equal(names.IpAddresses.Count, PkiAssert.Extension<X509SubjectAlternativeNameExtension>(server).EnumerateIPAddresses().Count());
    }

    [Fact]
    public void DefaultNames_MapIpv4MappedListenAddresses()
    {
        var names = ServerNames.Default([new IPEndPoint(IPAddress.Parse("::ffff:10.1.2.3"), 1)]);
        Assert.Contains(IPAddress.Parse("10.1.2.3"), names.IpAddresses);
    }
}
