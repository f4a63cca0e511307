using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Appliance.Devices.Tokens;
using Appliance.Sealing;
using Appliance.Token;

namespace Appliance.Tests.Sealing;

/// <summary>Envelope v3: a second recipient (the recovery token) and the policy block; v1 and v2 envelopes still read.</summary>
public sealed class EnvelopeV3Tests : IDisposable
{
    private readonly SoftwareToken _primary = SoftwareToken.Create();
    private readonly SoftwareToken _recovery = SoftwareToken.Create();

    public void Dispose()
    {
        _primary.Dispose();
        _recovery.Dispose();
    }

    private SealedCredential SealBoth() =>
        CredentialSealer.Seal(Samples.Metadata(), _primary.GetPublicKey(KeySlot.Seal), Samples.Secret, _recovery.GetPublicKey(KeySlot.Seal));

    [Fact]
    public void Both_tokens_open_their_copy_and_only_their_own()
    {
        var envelope = SealedCredential.FromJson(SealBoth().ToJson());
        Assert.Equal(SealedCredential.SignedVersion, envelope.FileVersion);
        using (var a = CredentialSealer.Unseal(envelope, _primary)) Assert.Equal(Samples.Secret, a.Span.ToArray());
        using (var b = CredentialSealer.UnsealRecovery(envelope, _recovery)) Assert.Equal(Samples.Secret, b.Span.ToArray());
        Assert.Throws<InvalidOperationException>(() => CredentialSealer.Unseal(envelope, _recovery));
        Assert.Throws<InvalidOperationException>(() => CredentialSealer.UnsealRecovery(envelope, _primary));
    }

    [Fact]
    public void The_recovery_copy_is_bound_to_the_metadata_too()
    {
        var node = JsonNode.Parse(SealBoth().ToJson())!.AsObject();
        node["access_key"] = "Attacker0000";
        var tampered = SealedCredential.FromJson(node.ToJsonString());
        Assert.Throws<CryptographicException>(() => CredentialSealer.UnsealRecovery(tampered, _recovery));
    }

    [Fact]
    public void A_version_1_envelope_reads_and_says_it_has_no_recovery_copy()
    {
        var v1 = CredentialSealer.Seal(Samples.Metadata(), _primary.GetPublicKey(KeySlot.Seal), Samples.Secret);
        var json = v1.ToJson();
        Assert.Contains("\"v\": 1", json);
        var read = SealedCredential.FromJson(json);
        Assert.Null(read.Recovery);
        using (var secret = CredentialSealer.Unseal(read, _primary)) Assert.Equal(Samples.Secret, secret.Span.ToArray());
        Assert.Contains("no recovery copy", Assert.Throws<InvalidOperationException>(() => CredentialSealer.UnsealRecovery(read, _recovery)).Message);
    }

    [Fact]
    public void The_policy_block_round_trips_and_is_not_part_of_the_signed_content()
    {
        var envelope = SealBoth();
        var block = JsonNode.Parse("""{"version":1,"signed_version":1,"statement":"e30=","signature":"AA=="}""")!;
        var signed = envelope with { PolicyBlock = System.Text.Json.JsonSerializer.SerializeToElement(block) };
        var read = SealedCredential.FromJson(signed.ToJson());
        Assert.Equal(signed, read);
        Assert.Equal(envelope.ContentBytes(), read.ContentBytes());
        Assert.Equal(["v", "name", "access_key", "approval", "scopes", "created", "expires", "slot", "token_public_key", "epk", "nonce",
            "ciphertext", "tag", "recovery", "policy"], JsonNode.Parse(read.ToJson())!.AsObject().Select(p => p.Key));
    }
}
