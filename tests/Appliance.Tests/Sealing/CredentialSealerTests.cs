using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Appliance.Sealing;
using Appliance.Token;
using Appliance.Devices.Tokens;

namespace Appliance.Tests.Sealing;

public class CredentialSealerTests
{
    [Theory]
    [InlineData(ApprovalMode.None, KeySlot.Seal)]
    [InlineData(ApprovalMode.Button, KeySlot.Seal)]
    [InlineData(ApprovalMode.Touch, KeySlot.SealTouch)]
    public void SealThenUnseal_RoundTripsThroughJson(ApprovalMode approval, KeySlot expectedSlot)
    {
        using var token = SoftwareToken.Create();
        var meta = Samples.Metadata(approval: approval);
        var sealedCredential = CredentialSealer.Seal(meta, token.GetPublicKey(meta.Slot), Samples.Secret);

        Assert.Equal(expectedSlot, sealedCredential.Slot);
        Assert.Equal(token.GetPublicKey(expectedSlot), sealedCredential.TokenPublicKey.ToArray());
        var reread = SealedCredential.FromJson(sealedCredential.ToJson());
        Assert.Equal(sealedCredential, reread);
        using var secret = CredentialSealer.Unseal(reread, token);
        Assert.Equal(Samples.Secret, secret.Span.ToArray());
    }

    [Fact]
    public void Seal_UsesAFreshEphemeralKeyAndNonceEachTime()
    {
        using var token = SoftwareToken.Create();
        var meta = Samples.Metadata();
        var a = CredentialSealer.Seal(meta, token.GetPublicKey(KeySlot.Seal), Samples.Secret);
        var b = CredentialSealer.Seal(meta, token.GetPublicKey(KeySlot.Seal), Samples.Secret);
        Assert.NotEqual(a.EphemeralPublicKey.ToArray(), b.EphemeralPublicKey.ToArray());
        Assert.NotEqual(a.Nonce.ToArray(), b.Nonce.ToArray());
        Assert.NotEqual(a.Ciphertext.ToArray(), b.Ciphertext.ToArray());
    }

    [Fact]
    public void Seal_RefusesBadInputs()
    {
        using var token = SoftwareToken.Create();
        var pk = token.GetPublicKey(KeySlot.Seal);
        var offCurve = (byte[])pk.Clone();
        offCurve[40] ^= 1;
        Assert.Throws<ArgumentException>(() => CredentialSealer.Seal(Samples.Metadata(), offCurve, Samples.Secret));
        Assert.Throws<ArgumentException>(() => CredentialSealer.Seal(Samples.Metadata(), pk[..33], Samples.Secret));
        Assert.Throws<ArgumentException>(() => CredentialSealer.Seal(Samples.Metadata(), pk, []));
        Assert.Throws<ArgumentException>(() => CredentialSealer.Seal(Samples.Metadata(), pk, new byte[SealedCredential.MaxSecretLength + 1]));
    }

    /// <summary>Recomputes Z, K and the associated data by hand from DESIGN.md and decrypts without CredentialSealer.</summary>
    [Fact]
    public void Envelope_MatchesAnIndependentEcdhHkdfAesGcmComputation()
    {
        using var slotKey = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var pk = P256Point.Encode(slotKey);
        var meta = Samples.Metadata(approval: ApprovalMode.Touch, scopes: ["withdraw", "view-withdrawals"]);
        var envelope = CredentialSealer.Seal(meta, pk, Samples.Secret);

        var epk = envelope.EphemeralPublicKey.ToArray();
        using var ephemeralPublic = ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = epk[1..33], Y = epk[33..] },
        });
        var z = slotKey.DeriveRawSecretAgreement(ephemeralPublic.PublicKey);
        var k = HKDF.DeriveKey(HashAlgorithmName.SHA256, z, 32, salt: [.. epk, .. pk], info: Encoding.UTF8.GetBytes("appliance/v1/seal" + "main"));
        var associatedData = Encoding.UTF8.GetBytes(
            "{\"v\":1,\"name\":\"main\",\"access_key\":\"AbCdEfGhIjKlMnOpQrStUvWxYz0123456789ABCD\",\"approval\":\"touch\"," +
            "\"scopes\":[\"view-withdrawals\",\"withdraw\"],\"created\":\"2026-03-01T12:00:00Z\",\"expires\":\"2027-03-01T12:00:00Z\",\"slot\":\"seal-touch\"}");
        Assert.Equal(associatedData, meta.ToAssociatedData());

        var plaintext = new byte[envelope.Ciphertext.Length];
        using var aes = new AesGcm(k, 16);
        aes.Decrypt(envelope.Nonce.Span, envelope.Ciphertext.Span, envelope.Tag.Span, plaintext, associatedData);
        Assert.Equal(Samples.Secret, plaintext);
    }

    public static TheoryData<string, string, string> MetadataTampers() => new()
    {
        { "access_key", "\"AbCdEfGhIjKlMnOpQrStUvWxYz0123456789ABCE\"", "access key changed" },
        { "scopes", """["trade","view-assets","withdraw"]""", "scope added" },
        { "scopes", """["view-assets"]""", "scope removed" },
        { "approval", "\"button\"", "approval none -> button (same slot)" },
        { "expires", "\"2030-03-01T12:00:00Z\"", "expiry extended" },
        { "created", "\"2026-03-01T12:00:01Z\"", "created moved" },
        { "name", "\"other\"", "renamed" },
    };

    [Theory]
    [MemberData(nameof(MetadataTampers))]
    public void Unseal_FailsWhenMetadataIsEdited(string field, string newJsonValue, string why)
    {
        using var token = SoftwareToken.Create();
        var envelope = CredentialSealer.Seal(Samples.Metadata(), token.GetPublicKey(KeySlot.Seal), Samples.Secret);
        var node = JsonNode.Parse(envelope.ToJson())!.AsObject();
        node[field] = JsonNode.Parse(newJsonValue);
        var tampered = SealedCredential.FromJson(node.ToJsonString());

        var e = Assert.Throws<CryptographicException>(() => CredentialSealer.Unseal(tampered, token));
        Assert.Contains("failed authentication", e.Message);
        Assert.DoesNotContain(Encoding.UTF8.GetString(Samples.Secret), e.Message);
        Assert.False(string.IsNullOrEmpty(why));
    }

    [Fact]
    public void Unseal_SwitchingToTouchApprovalIsRefusedBeforeDecrypting()
    {
        using var token = SoftwareToken.Create();
        var envelope = CredentialSealer.Seal(Samples.Metadata(), token.GetPublicKey(KeySlot.Seal), Samples.Secret);
        var node = JsonNode.Parse(envelope.ToJson())!.AsObject();
        node["approval"] = "touch";
        Assert.Contains("'slot'", Assert.Throws<FormatException>(() => SealedCredential.FromJson(node.ToJsonString())).Message);
        node["slot"] = "seal-touch";
        var tampered = SealedCredential.FromJson(node.ToJsonString());
        Assert.Throws<InvalidOperationException>(() => CredentialSealer.Unseal(tampered, token));
    }

    [Theory]
    [InlineData("ciphertext", 0)]
    [InlineData("ciphertext", 20)]
    [InlineData("tag", 0)]
    [InlineData("tag", 15)]
    [InlineData("nonce", 11)]
    public void Unseal_FailsWhenEnvelopeBytesAreFlipped(string field, int index)
    {
        using var token = SoftwareToken.Create();
        var envelope = CredentialSealer.Seal(Samples.Metadata(), token.GetPublicKey(KeySlot.Seal), Samples.Secret);
        var node = JsonNode.Parse(envelope.ToJson())!.AsObject();
        var bytes = Convert.FromBase64String((string)node[field]!);
        bytes[index] ^= 0x01;
        node[field] = Convert.ToBase64String(bytes);

        var tampered = SealedCredential.FromJson(node.ToJsonString());
        Assert.Throws<CryptographicException>(() => CredentialSealer.Unseal(tampered, token));
    }

    [Fact]
    public void Unseal_FailsWhenEphemeralKeyIsReplaced()
    {
        using var token = SoftwareToken.Create();
        var envelope = CredentialSealer.Seal(Samples.Metadata(), token.GetPublicKey(KeySlot.Seal), Samples.Secret);
        var node = JsonNode.Parse(envelope.ToJson())!.AsObject();
        node["epk"] = Convert.ToBase64String(Samples.FreshPoint());
        Assert.Throws<CryptographicException>(() => CredentialSealer.Unseal(SealedCredential.FromJson(node.ToJsonString()), token));

        var offCurve = Convert.FromBase64String((string)JsonNode.Parse(envelope.ToJson())!["epk"]!);
        offCurve[64] ^= 1;
        node["epk"] = Convert.ToBase64String(offCurve);
        Assert.Contains("'epk'", Assert.Throws<FormatException>(() => SealedCredential.FromJson(node.ToJsonString())).Message);
    }

    [Fact]
    public void Unseal_WithAnotherTokenSaysItWasSealedToADifferentKey()
    {
        using var sealingToken = SoftwareToken.Create();
        using var otherToken = SoftwareToken.Create();
        var envelope = CredentialSealer.Seal(Samples.Metadata(), sealingToken.GetPublicKey(KeySlot.Seal), Samples.Secret);

        var e = Assert.Throws<InvalidOperationException>(() => CredentialSealer.Unseal(envelope, otherToken));
        Assert.Contains("sealed to a different token key", e.Message);
        Assert.Contains("credentials rotate main", e.Message);
    }

    [Fact]
    public void Unseal_WithUnpluggedTokenThrows()
    {
        using var token = SoftwareToken.Create();
        var envelope = CredentialSealer.Seal(Samples.Metadata(), token.GetPublicKey(KeySlot.Seal), Samples.Secret);
        token.Unplug();
        Assert.Throws<InvalidOperationException>(() => CredentialSealer.Unseal(envelope, token));
    }

    [Fact]
    public void Unseal_ZeroesTheSharedSecret_AndTheReturnedSecretIsZeroedOnDispose()
    {
        using var inner = SoftwareToken.Create();
        var token = new RecordingToken(inner);
        var envelope = CredentialSealer.Seal(Samples.Metadata(), token.GetPublicKey(KeySlot.Seal), Samples.Secret);

        var secret = CredentialSealer.Unseal(envelope, token);
        Assert.Equal(Samples.Secret, secret.Span.ToArray());
        var z = Assert.Single(token.SharedSecrets);
        Assert.Equal(32, z.Length);
        Assert.All(z, b => Assert.Equal(0, b));

        secret.Dispose();
        Assert.True(secret.ZeroedOnDispose);
        Assert.Throws<ObjectDisposedException>(() => secret.Span.Length);
    }

    [Fact]
    public void Unseal_ZeroesTheSharedSecretWhenAuthenticationFails()
    {
        using var inner = SoftwareToken.Create();
        var token = new RecordingToken(inner);
        var envelope = CredentialSealer.Seal(Samples.Metadata(), token.GetPublicKey(KeySlot.Seal), Samples.Secret);
        var node = JsonNode.Parse(envelope.ToJson())!.AsObject();
        node["access_key"] = "someone-else";

        Assert.Throws<CryptographicException>(() => CredentialSealer.Unseal(SealedCredential.FromJson(node.ToJsonString()), token));
        Assert.All(Assert.Single(token.SharedSecrets), b => Assert.Equal(0, b));
    }
}
