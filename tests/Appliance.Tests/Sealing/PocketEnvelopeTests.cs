using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Appliance.Devices.Tokens;
using Appliance.Sealing;
using Appliance.Token;
using Appliance.Upbit;

namespace Appliance.Tests.Sealing;

/// <summary>
/// The pocket is authenticated with the rest of the metadata, without touching envelopes sealed before
/// pockets existed: main-pocket envelopes keep version 1 byte for byte, others are version 2.
/// </summary>
public sealed class PocketEnvelopeTests : IDisposable
{
    private static readonly string Vectors = Path.Combine(AppContext.BaseDirectory, "TestVectors", "envelope-e403abb");
    private const string LegacySecret = "legacy-envelope-test-secret-not-a-real-upbit-key";

    private readonly SoftwareToken _token = SoftwareToken.Create();

    public void Dispose() => _token.Dispose();

    /// <summary>
    /// The token of the vectors, made before tokens had a policy key (slot 84): a fresh one is added in a copy, since
    /// loading a token requires it and unsealing never uses it; the vector files stay as they were written.
    /// </summary>
    private static SoftwareToken LegacyToken()
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(Vectors, "software-token.json")))!.AsObject();
        using var policy = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        json["keys"]!["policy"] = Convert.ToBase64String(policy.ExportPkcs8PrivateKey());
        var copy = Path.Combine(Path.GetTempPath(), $"legacy-token-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(copy, json.ToJsonString());
            return SoftwareToken.Load(copy);
        }
        finally { File.Delete(copy); }
    }

    private static CredentialMetadata InPocket(string pocket) =>
        new("sub", "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789ABCD", ApprovalMode.None, ["trade", "view-assets"],
            Samples.Created, Samples.Created.AddYears(1), pocket);

    private JsonObject Sealed(string pocket) =>
        JsonNode.Parse(CredentialSealer.Seal(InPocket(pocket), _token.GetPublicKey(KeySlot.Seal), Samples.Secret).ToJson())!.AsObject();

    [Theory]
    [InlineData("legacy-none")]
    [InlineData("legacy-touch")]
    public void An_envelope_sealed_before_pockets_still_unseals_and_is_written_back_unchanged(string name)
    {
        using var token = LegacyToken();
        var file = File.ReadAllText(Path.Combine(Vectors, name + ".sealed.json"));
        var envelope = SealedCredential.FromJson(file);

        Assert.Equal(Pockets.Main, envelope.Metadata.Pocket);
        Assert.Equal(1, envelope.Metadata.Version);
        using (var secret = CredentialSealer.Unseal(envelope, token))
            Assert.Equal(LegacySecret, Encoding.UTF8.GetString(secret.Span));
        Assert.Equal(file, envelope.ToJson()); // so an older appliance reads what this one writes for main
    }

    [Fact]
    public void A_pocket_other_than_main_is_version_2_and_round_trips()
    {
        var json = Sealed("sub1");
        Assert.Equal(2, json["v"]!.GetValue<int>());
        Assert.Equal(["v", "name", "access_key", "approval", "scopes", "created", "expires", "slot", "pocket",
            "token_public_key", "epk", "nonce", "ciphertext", "tag"], json.Select(p => p.Key));

        var envelope = SealedCredential.FromJson(json.ToJsonString());
        Assert.Equal("sub1", envelope.Metadata.Pocket);
        using var secret = CredentialSealer.Unseal(envelope, _token);
        Assert.Equal(Samples.Secret, secret.Span.ToArray());
    }

    [Fact]
    public void The_version_2_associated_data_adds_the_pocket_after_the_slot()
    {
        Assert.Equal(
            "{\"v\":2,\"name\":\"sub\",\"access_key\":\"AbCdEfGhIjKlMnOpQrStUvWxYz0123456789ABCD\",\"approval\":\"none\"," +
            "\"scopes\":[\"trade\",\"view-assets\"],\"created\":\"2026-03-01T12:00:00Z\",\"expires\":\"2027-03-01T12:00:00Z\",\"slot\":\"seal\",\"pocket\":\"sub1\"}",
            Encoding.UTF8.GetString(InPocket("sub1").ToAssociatedData()));
        Assert.DoesNotContain("pocket", Encoding.UTF8.GetString(InPocket(Pockets.Main).ToAssociatedData()));
        Assert.NotEqual(InPocket("sub1"), InPocket("sub2"));
    }

    public static TheoryData<string, Action<JsonObject>> PocketTampers() => new()
    {
        { "renamed pocket", j => j["pocket"] = "sub2" },
        { "pocket removed (read as main, version 1)", j => { j.Remove("pocket"); j["v"] = 1; } },
    };

    [Theory]
    [MemberData(nameof(PocketTampers))]
    public void A_pocket_cannot_be_changed_or_dropped(string why, Action<JsonObject> tamper)
    {
        var json = Sealed("sub1");
        tamper(json);
        var tampered = SealedCredential.FromJson(json.ToJsonString());
        var e = Assert.Throws<CryptographicException>(() => CredentialSealer.Unseal(tampered, _token));
        Assert.Contains("failed authentication", e.Message);
        Assert.False(string.IsNullOrEmpty(why));
    }

    [Fact]
    public void A_main_pocket_envelope_cannot_be_moved_to_another_pocket()
    {
        var json = Sealed(Pockets.Main);
        json["v"] = 2;
        json["pocket"] = "sub1";
        var moved = SealedCredential.FromJson(json.ToJsonString());
        Assert.Equal("sub1", moved.Metadata.Pocket);
        Assert.Throws<CryptographicException>(() => CredentialSealer.Unseal(moved, _token));
    }

    [Fact]
    public void The_same_pocket_from_another_envelope_does_not_help()
    {
        // Two credentials in different pockets: pasting one's pocket (and version) into the other fails.
        var a = Sealed("sub1");
        var b = Sealed("sub2");
        b["pocket"] = a["pocket"]!.DeepClone();
        Assert.Throws<CryptographicException>(() => CredentialSealer.Unseal(SealedCredential.FromJson(b.ToJsonString()), _token));
    }

    [Theory]
    [InlineData(2, "main", "'pocket' is \"main\" in a version 2 envelope")]
    [InlineData(2, null, "missing the field 'pocket'")]
    [InlineData(1, "sub1", "'pocket' is not part of a version 1 envelope")]
    [InlineData(2, "Sub 1", "'pocket' is invalid")]
    public void A_pocket_that_does_not_fit_the_version_is_refused(int version, string? pocket, string expected)
    {
        var json = Sealed("sub1");
        json["v"] = version;
        if (pocket is null) json.Remove("pocket");
        else json["pocket"] = pocket;
        var e = Assert.Throws<FormatException>(() => SealedCredential.FromJson(json.ToJsonString()));
        Assert.Contains(expected, e.Message);
    }
}
