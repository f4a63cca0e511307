using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Appliance.Pki;

namespace Appliance.Tests.Pki;

public class ApplianceCaTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Create_MakesSelfSignedP256CaWithTheRequiredExtensions()
    {
        using var ca = ApplianceCa.Create("Test Appliance CA", new ManualClock(Start));
        var cert = ca.Certificate;

        Assert.Equal(cert.SubjectName.RawData, cert.IssuerName.RawData);
        Assert.Contains("CN=Test Appliance CA", cert.Subject);
        Assert.False(cert.HasPrivateKey); // the public view never carries the key
        Assert.Equal("1.2.840.10045.4.3.2", cert.SignatureAlgorithm.Value); // ecdsa-with-SHA256
        using (var key = cert.GetECDsaPublicKey())
        {
            Assert.NotNull(key);
            Assert.Equal(ECCurve.NamedCurves.nistP256.Oid.Value, key.ExportParameters(false).Curve.Oid.Value);
        }

        var basic = PkiAssert.Extension<X509BasicConstraintsExtension>(cert);
        Assert.True(basic.CertificateAuthority);
        Assert.True(basic.HasPathLengthConstraint);
        Assert.Equal(0, basic.PathLengthConstraint);
        Assert.True(basic.Critical);
        var usage = PkiAssert.Extension<X509KeyUsageExtension>(cert);
        Assert.Equal(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, usage.KeyUsages);
        Assert.NotNull(PkiAssert.Extension<X509SubjectKeyIdentifierExtension>(cert).SubjectKeyIdentifier);

        Assert.Equal(Start - TimeSpan.FromHours(1), new DateTimeOffset(cert.NotBefore));
        Assert.Equal(Start + TimeSpan.FromDays(3652), new DateTimeOffset(cert.NotAfter));

        var serial = cert.GetSerialNumber(); // little-endian
        Assert.Equal(16, serial.Length);
        Assert.True(serial[^1] < 0x80, "serial must be positive");
    }

    [Fact]
    public void Create_UsesAFreshRandomSerialEachTime()
    {
        using var a = ApplianceCa.Create("CA", new ManualClock(Start));
        using var b = ApplianceCa.Create("CA", new ManualClock(Start));
        Assert.NotEqual(a.Certificate.SerialNumber, b.Certificate.SerialNumber);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("bad\nname")]
    [InlineData(" padded")]
    public void Create_RejectsBadCommonNames(string name) =>
        Assert.ThrowsAny<ArgumentException>(() => ApplianceCa.Create(name, TimeProvider.System));

    [Fact]
    public void Create_RejectsCommonNamesLongerThan64() =>
        Assert.Throws<ArgumentException>(() => ApplianceCa.Create(new string('a', 65), TimeProvider.System));

    [Fact]
    public void SaveThenLoad_RoundTripsTheCaAndItsKey()
    {
        using var dir = new TempDir();
        var caDir = dir.Combine("ca");
        var clock = new ManualClock(Start);
        using var created = ApplianceCa.Create("Round Trip CA", clock);
        created.Save(caDir);

        using var loaded = ApplianceCa.Load(caDir, clock);
        Assert.Equal(created.Certificate.RawData, loaded.Certificate.RawData);

        // The loaded key really is the CA key: what it issues validates against the original.
        using var bot = loaded.IssueBotCertificate("bot-a");
        Assert.True(ChainValidator.IsIssuedBy(bot, created.Certificate, CertificatePurpose.ClientAuth, Start, out var error), error);

        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(Path.Combine(caDir, "ca.key")));
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", File.ReadAllText(Path.Combine(caDir, "ca.pem")));
        PkiAssert.UnixMode(Path.Combine(caDir, "ca.key"), PkiAssert.Mode0600);
        PkiAssert.UnixMode(caDir, PkiAssert.Mode0700);
        Assert.True(ApplianceCa.Exists(caDir));
    }

    [Fact]
    public void Save_RefusesToOverwriteAnExistingCa()
    {
        using var dir = new TempDir();
        using var first = ApplianceCa.Create("First", TimeProvider.System);
        using var second = ApplianceCa.Create("Second", TimeProvider.System);
        first.Save(dir.Path);
        var before = File.ReadAllBytes(dir.Combine("ca.key"));

        var e = Assert.Throws<InvalidOperationException>(() => second.Save(dir.Path));
        Assert.Contains("already exists", e.Message);
        Assert.Equal(before, File.ReadAllBytes(dir.Combine("ca.key")));
    }

    [Fact]
    public void Load_MissingDirectory_TellsTheUserToRunInit()
    {
        using var dir = new TempDir();
        Assert.False(ApplianceCa.Exists(dir.Combine("nope")));
        var e = Assert.Throws<InvalidOperationException>(() => ApplianceCa.Load(dir.Combine("nope")));
        Assert.Contains("ca.pem is missing", e.Message);
        Assert.Contains("appliance init or appliance demo", e.Message);
    }

    [Fact]
    public void Load_MissingKey_NamesTheKeyFile()
    {
        using var dir = new TempDir();
        using var ca = ApplianceCa.Create("CA", TimeProvider.System);
        ca.Save(dir.Path);
        File.Delete(dir.Combine("ca.key"));

        var e = Assert.Throws<InvalidOperationException>(() => ApplianceCa.Load(dir.Path));
        Assert.Contains("ca.key is missing", e.Message);
    }

    [Fact]
    public void Load_CorruptKey_SaysSoWithoutEchoingTheFile()
    {
        using var dir = new TempDir();
        using var ca = ApplianceCa.Create("CA", TimeProvider.System);
        ca.Save(dir.Path);
        File.WriteAllText(dir.Combine("ca.key"), "-----BEGIN PRIVATE KEY-----\nZZZZsecretish\n-----END PRIVATE KEY-----\n");

        var e = Assert.Throws<InvalidOperationException>(() => ApplianceCa.Load(dir.Path));
        Assert.Contains("ca.key is not a PEM private key", e.Message);
        Assert.Contains("appliance init", e.Message);
        Assert.DoesNotContain("ZZZZ", e.Message);
    }

    [Fact]
    public void Load_KeyFromAnotherCa_IsRefused()
    {
        using var dir = new TempDir();
        using var other = new TempDir();
        using var ca = ApplianceCa.Create("CA", TimeProvider.System);
        using var stranger = ApplianceCa.Create("CA", TimeProvider.System);
        ca.Save(dir.Path);
        stranger.Save(other.Path);
        File.Copy(other.Combine("ca.key"), dir.Combine("ca.key"), overwrite: true);

        var e = Assert.Throws<InvalidOperationException>(() => ApplianceCa.Load(dir.Path));
        Assert.Contains("matching the certificate", e.Message);
    }

    [Fact]
    public void Load_ALeafCertificateInPlaceOfTheCa_IsRefused()
    {
        using var dir = new TempDir();
        using var ca = ApplianceCa.Create("CA", TimeProvider.System);
        using var bot = ca.IssueBotCertificate("bot");
        PemFiles.WriteCertificate(dir.Combine("ca.pem"), bot);
        PemFiles.WritePrivateKey(dir.Combine("ca.key"), bot);

        var e = Assert.Throws<InvalidOperationException>(() => ApplianceCa.Load(dir.Path));
        Assert.Contains("is not an appliance CA certificate", e.Message);
    }

    [Fact]
    public void Issue_AfterTheCaExpired_IsAWrongStateError()
    {
        var clock = new ManualClock(Start);
        using var ca = ApplianceCa.Create("CA", clock);
        clock.Now = Start + TimeSpan.FromDays(3653);
        var e = Assert.Throws<InvalidOperationException>(() => ca.IssueBotCertificate("bot"));
        Assert.Contains("expired", e.Message);
    }

    [Fact]
    public void Issue_NearTheCaEnd_IsClampedToTheCaValidity()
    {
        var clock = new ManualClock(Start);
        using var ca = ApplianceCa.Create("CA", clock);
        clock.Now = Start + TimeSpan.FromDays(3600);
        using var bot = ca.IssueBotCertificate("bot", TimeSpan.FromDays(365));
        Assert.Equal(ca.Certificate.NotAfter, bot.NotAfter);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Issue_NonPositiveValidity_IsRejected(int days)
    {
        using var ca = ApplianceCa.Create("CA", TimeProvider.System);
        Assert.Throws<ArgumentOutOfRangeException>(() => ca.IssueBotCertificate("bot", TimeSpan.FromDays(days)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ca.IssueServerCertificate([], [], TimeSpan.FromDays(days)));
    }
}
