using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Appliance.Sealing;
using Appliance.Token;
using Appliance.Credentials;
using Appliance.Devices.Tokens;

namespace Appliance.Tests.Devices.Tokens;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class YubiKeyCollection
{
    public const string Name = "YubiKey";
}

/// <summary>
/// Opt-in suite for a real YubiKey through ykcs11 (docs/yubikey.md). Needs a key provisioned by
/// `appliance init` (keys in 9a, 9d and 83). The touch test waits up to 15 s: touch the key when it blinks.
/// </summary>
[Collection(YubiKeyCollection.Name)]
public sealed class YubiKeyTests
{
    private static Pkcs11Token Open() =>
        Pkcs11Token.Open(new Pkcs11TokenOptions(YubiKeyEnvironment.ModulePath, null, null, TokenOpener.ReadPin(YubiKeyEnvironment.PinFile)));

    [YubiKeyFact]
    public void Opens_and_reports_the_YubiKey_serial()
    {
        using var token = Open();
        Assert.StartsWith("YubiKey PIV", token.Label);
        Assert.Matches("^[0-9]+$", token.Serial);
        Assert.True(token.IsPresent());
        Assert.False(token.IsSoftware);
    }

    [YubiKeyFact]
    public void Every_slot_holds_a_P256_key()
    {
        using var token = Open();
        foreach (var slot in KeySlots.All)
        {
            Assert.True(token.HasKey(slot), $"slot {slot.PivName()} has no key: run appliance init first");
            var point = token.GetPublicKey(slot);
            Assert.Equal(65, point.Length);
            Assert.Equal(0x04, point[0]);
        }
    }

    [YubiKeyFact]
    public void Ecdh_on_9d_matches_dotnet()
    {
        using var token = Open();
        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        using var slotKey = ECDiffieHellman.Create(P256Point.ToPublicParameters(token.GetPublicKey(KeySlot.Seal), "slot"));
        var expected = ephemeral.DeriveRawSecretAgreement(slotKey.PublicKey);
        var clock = Stopwatch.StartNew();
        var actual = token.DeriveSharedSecret(KeySlot.Seal, P256Point.Encode(ephemeral));
        Console.Error.WriteLine($"YubiKey ECDH took {clock.ElapsedMilliseconds} ms");
        Assert.Equal(expected, actual);
    }

    [YubiKeyFact]
    public void Signature_from_9a_verifies()
    {
        using var token = Open();
        var digest = SHA256.HashData(Encoding.ASCII.GetBytes("audit checkpoint"));
        var signature = token.SignDigest(KeySlot.Audit, digest);
        using var verifier = ECDsa.Create(P256Point.ToPublicParameters(token.GetPublicKey(KeySlot.Audit), "slot"));
        Assert.True(verifier.VerifyHash(digest, signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [YubiKeyFact]
    public void Seal_and_unseal_round_trip_on_9d()
    {
        using var token = Open();
        var meta = new CredentialMetadata("hw-test", "AK", ApprovalMode.None, ["trade"], DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        var envelope = CredentialSealer.Seal(meta, token.GetPublicKey(KeySlot.Seal), Encoding.ASCII.GetBytes("hardware-secret"));
        using var secret = CredentialSealer.Unseal(envelope, token);
        Assert.Equal("hardware-secret", Encoding.ASCII.GetString(secret.Span));
    }

    [YubiKeyFact]
    public void Touch_slot_83_waits_for_the_touch()
    {
        using var token = Open();
        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        Console.Error.WriteLine(">>> TOUCH THE YUBIKEY NOW (slot 83, up to 15 s) <<<");
        var clock = Stopwatch.StartNew();
        var secret = token.DeriveSharedSecret(KeySlot.SealTouch, P256Point.Encode(ephemeral));
        Console.Error.WriteLine($"touch came after {clock.ElapsedMilliseconds} ms");
        Assert.Equal(32, secret.Length);
        CryptographicOperations.ZeroMemory(secret);
    }

    [YubiKeyFact(alsoRequires: "APPLIANCE_HW_TOUCH_TIMEOUT_TEST")]
    public void No_touch_fails_after_about_15_seconds_like_not_logged_in()
    {
        using var token = Open();
        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var clock = Stopwatch.StartNew();
        var e = Assert.ThrowsAny<InvalidOperationException>(() => token.DeriveSharedSecret(KeySlot.SealTouch, P256Point.Encode(ephemeral)));
        Console.Error.WriteLine($"touch wait failed after {clock.ElapsedMilliseconds} ms: {e.Message}");
        Assert.True(clock.Elapsed >= new TokenPresenceOptions().TouchTimeoutAfter,
            $"failed after {clock.Elapsed.TotalSeconds:F1} s; TouchUnsealer would call this a token fault, not a timeout");
    }
}
