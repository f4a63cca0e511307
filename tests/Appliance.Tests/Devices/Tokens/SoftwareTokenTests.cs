using System.Security.Cryptography;
using System.Text.Json;
using Appliance.Sealing;
using Appliance.Token;
using Appliance.Devices.Tokens;
using Appliance.Tests.Sealing;

namespace Appliance.Tests.Devices.Tokens;

public class SoftwareTokenTests
{
    [Fact]
    public void Create_GivesDistinctValidKeysPerSlotAndASoftwareSerial()
    {
        using var token = SoftwareToken.Create(new FixedTimeProvider(Samples.Created));

        Assert.True(token.IsSoftware);
        Assert.True(token.IsPresent());
        Assert.Matches("^software-[0-9a-f]{8}$", token.Serial);
        Assert.Equal(Samples.Created, token.Created);
        var points = KeySlots.All.Select(token.GetPublicKey).ToList();
        foreach (var point in points)
            P256Point.Validate(point, "point");
        Assert.Equal(KeySlots.All.Length, points.Select(Convert.ToHexString).Distinct().Count());
    }

    [Fact]
    public void GetPublicKey_ReturnsACopy()
    {
        using var token = SoftwareToken.Create();
        var first = token.GetPublicKey(KeySlot.Seal);
        first[10] ^= 0xff;
        Assert.NotEqual(first, token.GetPublicKey(KeySlot.Seal));
    }

    [Fact]
    public void DeriveSharedSecret_AgreesWithDotNetEcdh()
    {
        using var token = SoftwareToken.Create();
        using var peer = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        using var tokenSide = ECDiffieHellman.Create(P256Point.ToPublicParameters(token.GetPublicKey(KeySlot.SealTouch), "pk"));

        var fromToken = token.DeriveSharedSecret(KeySlot.SealTouch, P256Point.Encode(peer));
        var expected = peer.DeriveRawSecretAgreement(tokenSide.PublicKey);

        Assert.Equal(32, fromToken.Length);
        Assert.Equal(expected, fromToken);
    }

    [Fact]
    public void SignDigest_IsP1363AndVerifiesUnderThePublicKey()
    {
        using var token = SoftwareToken.Create();
        var digest = SHA256.HashData("checkpoint"u8);
        var signature = token.SignDigest(KeySlot.Audit, digest);

        Assert.Equal(64, signature.Length);
        using var verifier = ECDsa.Create(P256Point.ToPublicParameters(token.GetPublicKey(KeySlot.Audit), "pk"));
        Assert.True(verifier.VerifyHash(digest, signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        using var otherSlot = ECDsa.Create(P256Point.ToPublicParameters(token.GetPublicKey(KeySlot.Seal), "pk"));
        Assert.False(otherSlot.VerifyHash(digest, signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(64)]
    public void SignDigest_RefusesWrongDigestLength(int length)
    {
        using var token = SoftwareToken.Create();
        Assert.Throws<ArgumentException>(() => token.SignDigest(KeySlot.Audit, new byte[length]));
    }

    public static TheoryData<string, byte[]> BadPoints()
    {
        var valid = Samples.FreshPoint();
        var compressedPrefix = (byte[])valid.Clone();
        compressedPrefix[0] = 0x02;
        var offCurve = (byte[])valid.Clone();
        offCurve[64] ^= 0x01;
        var outOfField = new byte[65];
        outOfField[0] = 0x04;
        outOfField.AsSpan(1).Fill(0xff);
        return new TheoryData<string, byte[]>
        {
            { "empty", [] },
            { "short", valid[..64] },
            { "long", [.. valid, 0] },
            { "compressed prefix", compressedPrefix },
            { "off curve", offCurve },
            { "coordinates >= p", outOfField },
            { "all zero", new byte[65] },
        };
    }

    [Theory]
    [MemberData(nameof(BadPoints))]
    public void DeriveSharedSecret_RefusesInvalidPeerPoint(string why, byte[] point)
    {
        using var token = SoftwareToken.Create();
        var e = Assert.Throws<ArgumentException>(() => token.DeriveSharedSecret(KeySlot.Seal, point));
        Assert.Equal("peerPublicPoint", e.ParamName);
        Assert.False(string.IsNullOrEmpty(why));
    }

    [Fact]
    public void Unplug_MakesEveryOperationThrow_AndPlugRestores()
    {
        using var token = SoftwareToken.Create();
        var peer = Samples.FreshPoint();
        token.Unplug();

        Assert.False(token.IsPresent());
        var e = Assert.Throws<InvalidOperationException>(() => token.GetPublicKey(KeySlot.Seal));
        Assert.Equal("The token is not present; plug it back in.", e.Message);
        Assert.Throws<InvalidOperationException>(() => token.DeriveSharedSecret(KeySlot.Seal, peer));
        Assert.Throws<InvalidOperationException>(() => token.SignDigest(KeySlot.Audit, new byte[32]));

        token.Plug();
        Assert.True(token.IsPresent());
        Assert.Equal(32, token.DeriveSharedSecret(KeySlot.Seal, peer).Length);
    }

    [Fact]
    public void Dispose_MakesOperationsThrowObjectDisposed()
    {
        var token = SoftwareToken.Create();
        token.Dispose();
        token.Dispose(); // idempotent

        Assert.False(token.IsPresent());
        Assert.Throws<ObjectDisposedException>(() => token.GetPublicKey(KeySlot.Seal));
        Assert.Throws<ObjectDisposedException>(() => token.DeriveSharedSecret(KeySlot.Seal, Samples.FreshPoint()));
        Assert.Throws<ObjectDisposedException>(() => token.SignDigest(KeySlot.Audit, new byte[32]));
        Assert.Throws<ObjectDisposedException>(() => token.Save(Path.Combine(Path.GetTempPath(), "never-written.json")));
    }

    [Fact]
    public void SaveLoad_KeepsSerialAndKeys_AndWritesAWarningWithMode0600()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "token.json");
        using var original = SoftwareToken.Create(new FixedTimeProvider(Samples.Created));
        original.Save(path);

        using var loaded = SoftwareToken.Load(path);
        Assert.Equal(original.Serial, loaded.Serial);
        Assert.Equal(original.Created, loaded.Created);
        foreach (var slot in KeySlots.All)
            Assert.Equal(original.GetPublicKey(slot), loaded.GetPublicKey(slot));
        // Same private keys, not just the same public ones: ECDH agrees.
        var peer = Samples.FreshPoint();
        Assert.Equal(original.DeriveSharedSecret(KeySlot.Seal, peer), loaded.DeriveSharedSecret(KeySlot.Seal, peer));

        using var json = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal(SoftwareToken.FileWarning, json.RootElement.GetProperty("warning").GetString());
        Assert.Contains("protect nothing", SoftwareToken.FileWarning);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Theory]
    [InlineData("not json", "JSON")]
    [InlineData("[]", "(root)")]
    [InlineData("""{"v":2,"kind":"software-token"}""", "'v'")]
    [InlineData("""{"v":1,"kind":"yubikey"}""", "'kind'")]
    [InlineData("""{"v":1,"kind":"software-token","serial":"yubikey-1","created":"2026-03-01T12:00:00Z","keys":{}}""", "'serial'")]
    [InlineData("""{"v":1,"kind":"software-token","serial":"software-1","created":"yesterday","keys":{}}""", "'created'")]
    [InlineData("""{"v":1,"kind":"software-token","serial":"software-1","created":"2026-03-01T12:00:00Z","keys":{}}""", "'keys.audit'")]
    [InlineData("""{"v":1,"kind":"software-token","serial":"software-1","created":"2026-03-01T12:00:00Z","keys":{"audit":"!!"}}""", "'keys.audit'")]
    [InlineData("""{"v":1,"kind":"software-token","serial":"software-1","created":"2026-03-01T12:00:00Z","keys":{"audit":"AAAA"}}""", "'keys.audit'")]
    public void Load_RefusesMalformedFilesNamingTheField(string contents, string expectedInMessage)
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "token.json");
        File.WriteAllText(path, contents);
        var e = Assert.Throws<FormatException>(() => SoftwareToken.Load(path));
        Assert.Contains(expectedInMessage, e.Message);
    }
}
