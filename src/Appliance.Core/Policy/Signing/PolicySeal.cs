using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Appliance.Sealing;

namespace Appliance.Policy;

/// <summary>
/// The signature block a policy record carries (<c>"policy"</c> in bots/NAME.json and in a credential envelope;
/// DATA_DIR/policy/config.json for appliance.json's signed keys):
/// <code>{"version":4,"signed_version":3,"signed":{…the content as signed…},"statement":B64,"signature":B64}</code>
/// <see cref="Version"/> is the record's version now; <see cref="SignedVersion"/> the version the signature covers.
/// They differ only after a change that narrows power, which needs no token: then <see cref="Signed"/> keeps the
/// content as it was signed, and the record must be no wider than it.
/// </summary>
public sealed record PolicySeal
{
    [JsonPropertyName("version")] public required long Version { get; init; }

    [JsonPropertyName("signed_version")] public required long SignedVersion { get; init; }

    /// <summary>The content as signed, present only when the record was narrowed since.</summary>
    [JsonPropertyName("signed")] public JsonElement? Signed { get; init; }

    /// <summary>The signed statement's bytes, base64.</summary>
    [JsonPropertyName("statement")] public required string Statement { get; init; }

    /// <summary>ECDSA P-256 r || s by the token's policy key, base64.</summary>
    [JsonPropertyName("signature")] public required string Signature { get; init; }

    [JsonIgnore] public bool IsNarrowed => Signed is not null;

    /// <summary>Whether the signature verifies against <paramref name="policyPublicKey"/>; the statement when it does.</summary>
    public bool TryVerify(ReadOnlySpan<byte> policyPublicKey, out PolicyStatement? statement, out string? problem)
    {
        statement = null;
        byte[] bytes, signature;
        try
        {
            bytes = Convert.FromBase64String(Statement);
            signature = Convert.FromBase64String(Signature);
        }
        catch (FormatException)
        {
            problem = "its signature block is not base64";
            return false;
        }
        using (var key = ECDsa.Create(P256Point.ToPublicParameters(policyPublicKey, nameof(policyPublicKey))))
        {
            if (!key.VerifyHash(PolicyStatement.Digest(bytes), signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            {
                problem = "its signature does not verify against the pinned policy key (token.json slot 84)";
                return false;
            }
        }
        try { statement = PolicyStatement.Parse(bytes); }
        catch (FormatException e)
        {
            problem = e.Message;
            return false;
        }
        problem = null;
        return true;
    }
}
