using System.Security.Cryptography;
using Appliance.Sealing;

namespace Appliance.Policy;

/// <summary>Signs policy statements with the token's policy key (PIV 84; on a YubiKey, touch policy always).</summary>
public interface IPolicySigner
{
    /// <summary>The policy key's public point, to check the signature before anything is written.</summary>
    byte[] PublicKey { get; }

    /// <summary>ECDSA P-256 over a SHA-256 digest, r || s. On a touch-always YubiKey slot this waits for a touch.</summary>
    byte[] SignDigest(ReadOnlySpan<byte> sha256Digest);
}

/// <summary>Building seals: one signature over a statement of records, and narrowing without the token.</summary>
public static class PolicySigning
{
    public static PolicyStatementEntry Entry(BotProfile profile, long version) =>
        new(PolicyRecordKey.Bot(profile.Name), version, PolicyCanonical.Sha256(profile));

    public static PolicyStatementEntry Entry(SealedCredential credential, long version) =>
        new(PolicyRecordKey.Credential(credential.Name), version, PolicyCanonical.Sha256((credential with { PolicyBlock = null }).ContentBytes()));

    public static PolicyStatementEntry ConfigEntry(System.Text.Json.Nodes.JsonObject keys, long version) =>
        new(PolicyRecordKey.Config, version, PolicyCanonical.Sha256(keys));

    /// <summary>
    /// Signs one statement over <paramref name="entries"/> (one signature, so one touch) and returns each record's seal.
    /// The signature is checked against the signer's public key before it is used.
    /// </summary>
    public static IReadOnlyDictionary<PolicyRecordKey, PolicySeal> Sign(IPolicySigner signer, IEnumerable<PolicyStatementEntry> entries, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(signer);
        var statement = new PolicyStatement(time, entries);
        var bytes = statement.ToBytes();
        var signature = signer.SignDigest(PolicyStatement.Digest(bytes));
        using (var key = ECDsa.Create(P256Point.ToPublicParameters(signer.PublicKey, nameof(signer))))
        {
            if (!key.VerifyHash(PolicyStatement.Digest(bytes), signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
                throw new InvalidOperationException("The token's policy signature does not verify against its own public key; check the token (slot 84) and try again.");
        }
        var statementB64 = Convert.ToBase64String(bytes);
        var signatureB64 = Convert.ToBase64String(signature);
        return statement.Records.ToDictionary(r => r.Key, r => new PolicySeal
        {
            Version = r.Version,
            SignedVersion = r.Version,
            Statement = statementB64,
            Signature = signatureB64,
        });
    }

    /// <summary>
    /// The profile <paramref name="narrowed"/> at <paramref name="version"/>, keeping <paramref name="current"/>'s
    /// signature: allowed only when it grants nothing beyond what was signed. Throws InvalidOperationException naming
    /// what would widen (that change needs a signature).
    /// </summary>
    public static BotProfile Narrow(BotProfile current, BotProfile narrowed, long version)
    {
        var seal = current.Policy ?? throw new InvalidOperationException(
            $"Bot '{current.Name}' is not signed, so it cannot be narrowed in place; sign it first with 'appliance policy sign-all'.");
        var signed = seal.Signed is { } s ? PolicyCanonical.Profile(s) : current with { Policy = null };
        var widened = BotNarrowing.Widened(narrowed, signed);
        if (widened.Count > 0)
            throw new InvalidOperationException(
                $"This change to bot '{current.Name}' grants more than was signed ({string.Join(", ", widened)}), so it needs the token's signature.");
        return narrowed with
        {
            Policy = seal with { Version = version, Signed = seal.Signed ?? PolicyCanonical.Embed(signed) },
        };
    }
}
