using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Appliance.Token;
using Appliance.Devices.Tokens;

namespace Appliance.Tests.Devices.Tokens;

public sealed class Pkcs11EcPointTests
{
    private static byte[] NewPoint(out ECDsa key)
    {
        key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var q = key.ExportParameters(false).Q;
        return [0x04, .. q.X!, .. q.Y!];
    }

    [Fact]
    public void UnwrapsTheDerOctetString()
    {
        var point = NewPoint(out var key);
        using (key)
            Assert.Equal(point, Pkcs11EcPoint.FromEcPointAttribute([0x04, 0x41, .. point]));
    }

    [Fact]
    public void AcceptsTheBarePoint()
    {
        var point = NewPoint(out var key);
        using (key)
            Assert.Equal(point, Pkcs11EcPoint.FromEcPointAttribute(point));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(33)]  // compressed point
    [InlineData(64)]
    [InlineData(66)]
    [InlineData(97)]  // P-384
    public void RejectsOtherEncodings(int length)
    {
        var value = new byte[length];
        if (length > 0) value[0] = 0x04;
        Assert.Throws<InvalidOperationException>(() => Pkcs11EcPoint.FromEcPointAttribute(value));
    }

    [Fact]
    public void RejectsAWrongDerLength()
    {
        var point = NewPoint(out var key);
        using (key)
            Assert.Throws<InvalidOperationException>(() => Pkcs11EcPoint.FromEcPointAttribute([0x04, 0x40, .. point]));
    }

    [Fact]
    public void ReadsThePointFromACertificate()
    {
        var point = NewPoint(out var key);
        using (key)
        {
            var request = new CertificateRequest("CN=Test", key, HashAlgorithmName.SHA256);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddYears(100));
            Assert.Equal(point, Pkcs11EcPoint.FromCertificate(certificate.RawData));
        }
    }

    [Fact]
    public void RejectsACertificateOnAnotherCurve()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var request = new CertificateRequest("CN=Test", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddYears(100));
        var e = Assert.Throws<InvalidOperationException>(() => Pkcs11EcPoint.FromCertificate(certificate.RawData));
        Assert.Contains("P-256", e.Message);
    }

    [Fact]
    public void RejectsACertificateWithoutAnEcKey()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=Test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddYears(100));
        Assert.Throws<InvalidOperationException>(() => Pkcs11EcPoint.FromCertificate(certificate.RawData));
    }

    [Fact]
    public void P256ParamsAreTheDerOidOfPrime256v1()
    {
        var oid = new System.Formats.Asn1.AsnReader(Pkcs11EcPoint.P256Params, System.Formats.Asn1.AsnEncodingRules.DER).ReadObjectIdentifier();
        Assert.Equal("1.2.840.10045.3.1.7", oid);
    }
}
