using System.Security.Cryptography;
using System.Text;
using Appliance.Token;

namespace Appliance.Tests.Devices.Tokens;

[Collection(SoftHsmCollection.Name)]
public sealed class Pkcs11TokenKeyTests(SoftHsmFixture softHsm)
{
    public static TheoryData<KeySlot> Slots => new(KeySlots.All);

    [Theory]
    [MemberData(nameof(Slots))]
    public void GeneratedKeyIsAValidP256PointThatGetPublicKeyReturns(KeySlot slot)
    {
        using var token = SoftHsmFixture.Open();
        var point = token.GetPublicKey(slot);
        Assert.Equal(softHsm.GeneratedPoints[slot], point);
        Assert.True(token.HasKey(slot));
        using var imported = ImportEcdh(point); // throws unless the point is on P-256
        Assert.Equal(256, imported.KeySize);
    }

    [Fact]
    public void EachSlotHasItsOwnKey()
    {
        var distinct = softHsm.GeneratedPoints.Values.Select(Convert.ToHexString).Distinct().Count();
        Assert.Equal(KeySlots.All.Length, distinct);
    }

    [Fact]
    public void GenerateRefusesToReplaceAKey()
    {
        using var token = SoftHsmFixture.Open();
        var e = Assert.Throws<InvalidOperationException>(() => token.GenerateKeyPair(KeySlot.Seal));
        Assert.Contains("PIV slot 9d (CKA_ID 3) already holds a key", e.Message);
        Assert.Equal(softHsm.GeneratedPoints[KeySlot.Seal], token.GetPublicKey(KeySlot.Seal));
    }

    [Theory]
    [MemberData(nameof(Slots))]
    public void EcdhMatchesDotNet(KeySlot slot)
    {
        using var token = SoftHsmFixture.Open();
        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        using var tokenKey = ImportEcdh(token.GetPublicKey(slot));

        var fromToken = token.DeriveSharedSecret(slot, ExportPoint(ephemeral));
        var fromDotNet = ephemeral.DeriveRawSecretAgreement(tokenKey.PublicKey);

        Assert.Equal(32, fromToken.Length);
        Assert.Equal(fromDotNet, fromToken);
    }

    [Fact]
    public void EcdhDiffersPerSlot()
    {
        using var token = SoftHsmFixture.Open();
        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var peer = ExportPoint(ephemeral);
        Assert.NotEqual(token.DeriveSharedSecret(KeySlot.Seal, peer), token.DeriveSharedSecret(KeySlot.SealTouch, peer));
    }

    [Theory]
    [MemberData(nameof(Slots))]
    public void SignatureVerifiesWithDotNet(KeySlot slot)
    {
        using var token = SoftHsmFixture.Open();
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"checkpoint for {slot}"));
        var signature = token.SignDigest(slot, digest);

        using var verifier = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = ToEcPoint(token.GetPublicKey(slot)) });
        Assert.Equal(64, signature.Length);
        Assert.True(verifier.VerifyHash(digest, signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        var otherDigest = SHA256.HashData("something else"u8);
        Assert.False(verifier.VerifyHash(otherDigest, signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Fact]
    public void MissingKeyNamesTheSlot()
    {
        using var token = SoftHsmFixture.Open(label: SoftHsmFixture.EmptyLabel);
        Assert.False(token.HasKey(KeySlot.Seal));
        var e = Assert.Throws<InvalidOperationException>(() => token.GetPublicKey(KeySlot.Seal));
        Assert.Equal("No key in PIV slot 9d (CKA_ID 3); run appliance init.", e.Message);
        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        e = Assert.Throws<InvalidOperationException>(() => token.DeriveSharedSecret(KeySlot.SealTouch, ExportPoint(ephemeral)));
        Assert.Contains("PIV slot 83 (CKA_ID 6)", e.Message);
        e = Assert.Throws<InvalidOperationException>(() => token.SignDigest(KeySlot.Audit, new byte[32]));
        Assert.Contains("PIV slot 9a (CKA_ID 1)", e.Message);
    }

    [Fact]
    public void BadPeerPointsAreRejected()
    {
        using var token = SoftHsmFixture.Open();
        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var good = ExportPoint(ephemeral);

        Assert.Throws<ArgumentException>(() => token.DeriveSharedSecret(KeySlot.Seal, good.AsSpan(1)));
        Assert.Throws<ArgumentException>(() => token.DeriveSharedSecret(KeySlot.Seal, ReadOnlySpan<byte>.Empty));
        var compressedPrefix = (byte[])good.Clone();
        compressedPrefix[0] = 0x02;
        Assert.Throws<ArgumentException>(() => token.DeriveSharedSecret(KeySlot.Seal, compressedPrefix));
        var offCurve = (byte[])good.Clone();
        offCurve[64] ^= 0x01;
        var e = Assert.Throws<ArgumentException>(() => token.DeriveSharedSecret(KeySlot.Seal, offCurve));
        Assert.Contains("not a point on P-256", e.Message);
    }

    [Fact]
    public void BadDigestsAndSlotsAreRejected()
    {
        using var token = SoftHsmFixture.Open();
        Assert.Throws<ArgumentException>(() => token.SignDigest(KeySlot.Audit, new byte[31]));
        Assert.Throws<ArgumentException>(() => token.SignDigest(KeySlot.Audit, new byte[48]));
        Assert.ThrowsAny<ArgumentException>(() => token.GetPublicKey((KeySlot)2));
        Assert.ThrowsAny<ArgumentException>(() => token.SignDigest((KeySlot)2, new byte[32]));
    }

    [Fact]
    public async Task ConcurrentCallsAreSerializedAndCorrect()
    {
        using var token = SoftHsmFixture.Open();
        var sealPoint = token.GetPublicKey(KeySlot.Seal);
        var auditPoint = token.GetPublicKey(KeySlot.Audit);
        var workers = Enumerable.Range(0, 4).Select(worker => Task.Run(() =>
        {
            for (var i = 0; i < 10; i++)
            {
                using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
                using var tokenKey = ImportEcdh(sealPoint);
                Assert.Equal(ephemeral.DeriveRawSecretAgreement(tokenKey.PublicKey), token.DeriveSharedSecret(KeySlot.Seal, ExportPoint(ephemeral)));

                var digest = SHA256.HashData(BitConverter.GetBytes(worker * 100 + i));
                using var verifier = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = ToEcPoint(auditPoint) });
                Assert.True(verifier.VerifyHash(digest, token.SignDigest(KeySlot.Audit, digest), DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
                Assert.True(token.IsPresent());
            }
        }));
        await Task.WhenAll(workers);
    }

    private static ECDiffieHellman ImportEcdh(byte[] point) =>
        ECDiffieHellman.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = ToEcPoint(point) });

    private static ECPoint ToEcPoint(byte[] point)
    {
        Assert.Equal(65, point.Length);
        Assert.Equal(0x04, point[0]);
        return new ECPoint { X = point[1..33], Y = point[33..] };
    }

    private static byte[] ExportPoint(ECDiffieHellman key)
    {
        var q = key.ExportParameters(false).Q;
        return [0x04, .. q.X!, .. q.Y!];
    }
}
