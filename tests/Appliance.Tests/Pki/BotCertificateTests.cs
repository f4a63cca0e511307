using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Appliance.Pki;
using Appliance.Policy;

namespace Appliance.Tests.Pki;

public class BotCertificateTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void BotCertificate_HasTheBotNameAndClientAuth()
    {
        using var ca = ApplianceCa.Create("CA", new ManualClock(Start));
        using var bot = ca.IssueBotCertificate("grid-bot-1");

        Assert.True(bot.HasPrivateKey);
        Assert.Equal("grid-bot-1", bot.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
        Assert.Equal("CN=grid-bot-1, O=appliance-bot", bot.Subject);
        var eku = PkiAssert.Extension<X509EnhancedKeyUsageExtension>(bot);
        Assert.Equal([CertificatePurposes.ClientAuthOid], eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, PkiAssert.Extension<X509KeyUsageExtension>(bot).KeyUsages);
        Assert.NotNull(PkiAssert.Extension<X509AuthorityKeyIdentifierExtension>(bot).KeyIdentifier);
        Assert.Empty(bot.Extensions.OfType<X509SubjectAlternativeNameExtension>());
        Assert.Equal(Start + TimeSpan.FromDays(365), new DateTimeOffset(bot.NotAfter));
    }

    [Fact]
    public void BotName_CannotInjectExtraSubjectAttributes()
    {
        using var ca = ApplianceCa.Create("CA", new ManualClock(Start));
        using var bot = ca.IssueBotCertificate("x, O=evil");

        var rdns = bot.SubjectName.EnumerateRelativeDistinguishedNames().ToList();
        Assert.Equal(2, rdns.Count);
        Assert.Equal("appliance-bot", rdns.Single(r => r.GetSingleElementType().Value == "2.5.4.10").GetSingleElementValue());
        Assert.Equal("x, O=evil", rdns.Single(r => r.GetSingleElementType().Value == "2.5.4.3").GetSingleElementValue());
    }

    [Fact]
    public void BotCertificate_ValidatesAgainstItsOwnCa()
    {
        using var ca = ApplianceCa.Create("CA", new ManualClock(Start));
        using var bot = ca.IssueBotCertificate("bot");
        Assert.True(ChainValidator.IsIssuedBy(bot, ca.Certificate, CertificatePurpose.ClientAuth, Start, out var error), error);
        Assert.Null(error);
    }

    [Fact]
    public void BotCertificate_FromAnotherNamedCa_IsRejectedAsWrongIssuer()
    {
        using var ca = ApplianceCa.Create("Appliance CA", new ManualClock(Start));
        using var other = ApplianceCa.Create("Other CA", new ManualClock(Start));
        using var bot = other.IssueBotCertificate("bot");

        Assert.False(ChainValidator.IsIssuedBy(bot, ca.Certificate, CertificatePurpose.ClientAuth, Start, out var error));
        Assert.Contains("not by this appliance's CA", error);
    }

    [Fact]
    public void BotCertificate_FromAnotherCaWithTheSameName_IsRejectedBySignature()
    {
        using var ca = ApplianceCa.Create("Appliance CA", new ManualClock(Start));
        using var impostor = ApplianceCa.Create("Appliance CA", new ManualClock(Start));
        using var bot = impostor.IssueBotCertificate("bot");

        Assert.False(ChainValidator.IsIssuedBy(bot, ca.Certificate, CertificatePurpose.ClientAuth, Start, out var error));
        Assert.Contains("not signed by this appliance's CA", error);
    }

    [Fact]
    public void ExpiredBotCertificate_IsRejected()
    {
        var clock = new ManualClock(Start);
        using var ca = ApplianceCa.Create("CA", clock);
        using var bot = ca.IssueBotCertificate("bot", TimeSpan.FromDays(1));

        var later = Start + TimeSpan.FromDays(2);
        Assert.False(ChainValidator.IsIssuedBy(bot, ca.Certificate, CertificatePurpose.ClientAuth, later, out var error));
        Assert.Contains("expired on 2025-03-02", error);
        // Still fine the moment before it ends.
        Assert.True(ChainValidator.IsIssuedBy(bot, ca.Certificate, CertificatePurpose.ClientAuth, Start + TimeSpan.FromHours(23), out error), error);
    }

    [Fact]
    public void BotCertificate_BeforeItsStart_IsRejected()
    {
        using var ca = ApplianceCa.Create("CA", new ManualClock(Start));
        using var bot = ca.IssueBotCertificate("bot");
        Assert.False(ChainValidator.IsIssuedBy(bot, ca.Certificate, CertificatePurpose.ClientAuth, Start - TimeSpan.FromDays(1), out var error));
        Assert.Contains("not valid until", error);
    }

    [Fact]
    public void BotCertificate_PresentedAsServer_IsRejectedForTheWrongEku()
    {
        using var ca = ApplianceCa.Create("CA", new ManualClock(Start));
        using var bot = ca.IssueBotCertificate("bot");
        Assert.False(ChainValidator.IsIssuedBy(bot, ca.Certificate, CertificatePurpose.ServerAuth, Start, out var error));
        Assert.Contains("lacks the serverAuth extended key usage", error);
    }

    [Fact]
    public void TheCaItself_IsNotAClientCertificate()
    {
        using var ca = ApplianceCa.Create("CA", new ManualClock(Start));
        Assert.False(ChainValidator.IsIssuedBy(ca.Certificate, ca.Certificate, CertificatePurpose.ClientAuth, Start, out var error));
        Assert.Contains("CA certificate itself", error);
    }

    [Fact]
    public void ACertificateWithoutEku_IsRejectedEvenIfSignedByTheCa()
    {
        // X509Chain treats "no EKU extension" as "any purpose"; the validator must not.
        using var ca = ApplianceCa.Create("CA", new ManualClock(Start));
        using var caKeyHolder = LoadCaWithKey(ca);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=no-eku", key, HashAlgorithmName.SHA256);
        using var leaf = request.Create(caKeyHolder, Start - TimeSpan.FromMinutes(1), Start + TimeSpan.FromDays(1), [0x42, 1, 2, 3]);

        Assert.False(ChainValidator.IsIssuedBy(leaf, ca.Certificate, CertificatePurpose.ClientAuth, Start, out var error));
        Assert.Contains("lacks the clientAuth extended key usage (it has: none)", error);
    }

    [Fact]
    public void Thumbprint_IsLowercaseHexSha256OfTheDer()
    {
        using var ca = ApplianceCa.Create("CA", TimeProvider.System);
        using var a = ca.IssueBotCertificate("a");
        using var b = ca.IssueBotCertificate("a");

        var thumb = Thumbprints.Sha256Hex(a);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(a.RawData)).ToLowerInvariant(), thumb);
        Assert.Matches("^[0-9a-f]{64}$", thumb);
        Assert.Equal(a.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant(), thumb);
        Assert.NotEqual(thumb, Thumbprints.Sha256Hex(b)); // same name, new key and serial
        Assert.Throws<ArgumentException>(() => Thumbprints.Sha256Hex(ReadOnlySpan<byte>.Empty));
    }

    private static X509Certificate2 LoadCaWithKey(ApplianceCa ca)
    {
        // Round-trip through disk: the public API never hands out the CA key otherwise.
        var dir = Path.Combine(Path.GetTempPath(), "pki-cakey-" + Guid.NewGuid().ToString("N"));
        try
        {
            ca.Save(dir);
            return X509Certificate2.CreateFromPemFile(Path.Combine(dir, "ca.pem"), Path.Combine(dir, "ca.key"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
