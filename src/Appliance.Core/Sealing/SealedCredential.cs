using System.Text;
using System.Text.Json;
using Appliance.Token;

namespace Appliance.Sealing;

/// <summary>
/// One sealed credential as stored in credentials/NAME.sealed.json (ENVELOPE.md). Metadata is in clear (it is not
/// secret, and it is authenticated as associated data); the secret is only in the ciphertexts.
/// <code>
/// {"v":3,"name":…,"access_key":…,"approval":…,"scopes":[…],"created":…,"expires":…,"slot":"seal","pocket":…,
///  "token_public_key":B64(65),"epk":B64(65),"nonce":B64(12),"ciphertext":B64,"tag":B64(16),
///  "recovery":{"public_key":…,"epk":…,"nonce":…,"ciphertext":…,"tag":…},   // optional: a second recipient
///  "policy":{…}}                                                               // optional: the policy signature
/// </code>
/// Version 1 is a main-pocket credential without "recovery" and "policy"; version 2 the same outside the main pocket
/// (with "pocket" after the slot); version 3 is either, with "pocket" when not main, and may carry "recovery" and "policy".
/// </summary>
public sealed record SealedCredential
{
    /// <summary>The version written when a recovery copy or a policy signature is present.</summary>
    public const int SignedVersion = 3;

    /// <summary>The envelope versions this appliance reads: 1 (main pocket), 2 (any other pocket), 3 (signed or with a recovery copy).</summary>
    public static readonly IReadOnlyList<int> Versions = [CredentialMetadata.MainPocketVersion, CredentialMetadata.OtherPocketVersion, SignedVersion];
    public const int NonceLength = 12;
    public const int TagLength = 16;
    public const int MaxSecretLength = 1024;

    public SealedCredential(CredentialMetadata metadata, ReadOnlySpan<byte> tokenPublicKey, ReadOnlySpan<byte> ephemeralPublicKey,
        ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag)
    {
        Metadata = metadata ?? throw new ArgumentNullException(nameof(metadata));
        P256Point.Validate(tokenPublicKey, nameof(tokenPublicKey));
        P256Point.Validate(ephemeralPublicKey, nameof(ephemeralPublicKey));
        if (nonce.Length != NonceLength)
            throw new ArgumentException($"The nonce must be {NonceLength} bytes; got {nonce.Length}.", nameof(nonce));
        if (ciphertext.Length is 0 or > MaxSecretLength)
            throw new ArgumentException($"The ciphertext must be 1-{MaxSecretLength} bytes; got {ciphertext.Length}.", nameof(ciphertext));
        if (tag.Length != TagLength)
            throw new ArgumentException($"The tag must be {TagLength} bytes; got {tag.Length}.", nameof(tag));
        TokenPublicKey = tokenPublicKey.ToArray();
        EphemeralPublicKey = ephemeralPublicKey.ToArray();
        Nonce = nonce.ToArray();
        Ciphertext = ciphertext.ToArray();
        Tag = tag.ToArray();
    }

    public CredentialMetadata Metadata { get; }

    public string Name => Metadata.Name;

    public KeySlot Slot => Metadata.Slot;

    /// <summary>The slot public key this envelope was sealed to (65-byte uncompressed point).</summary>
    public ReadOnlyMemory<byte> TokenPublicKey { get; }

    public ReadOnlyMemory<byte> EphemeralPublicKey { get; }

    public ReadOnlyMemory<byte> Nonce { get; }

    public ReadOnlyMemory<byte> Ciphertext { get; }

    public ReadOnlyMemory<byte> Tag { get; }

    /// <summary>The secret sealed to the recovery token too; null when no recovery key was enrolled when it was sealed.</summary>
    public RecoveryRecipient? Recovery { get; init; }

    /// <summary>
    /// The policy signature block (<c>"policy"</c>), kept as JSON: the Policy folder reads and checks it. It covers
    /// <see cref="ContentBytes"/>, the envelope without this block.
    /// </summary>
    public System.Text.Json.JsonElement? PolicyBlock { get; init; }

    /// <summary>The envelope version this credential is written as.</summary>
    public int FileVersion => Recovery is null && PolicyBlock is null ? Metadata.Version : SignedVersion;

    /// <summary>What a policy signature covers: the envelope as written, without the "policy" block.</summary>
    public byte[] ContentBytes() => Encoding.UTF8.GetBytes((this with { PolicyBlock = null }).ToJson());

    public bool Equals(SealedCredential? other) =>
        other is not null
        && Metadata.Equals(other.Metadata)
        && TokenPublicKey.Span.SequenceEqual(other.TokenPublicKey.Span)
        && EphemeralPublicKey.Span.SequenceEqual(other.EphemeralPublicKey.Span)
        && Nonce.Span.SequenceEqual(other.Nonce.Span)
        && Ciphertext.Span.SequenceEqual(other.Ciphertext.Span)
        && Tag.Span.SequenceEqual(other.Tag.Span)
        && Equals(Recovery, other.Recovery)
        && (PolicyBlock is { } a ? other.PolicyBlock is { } b && System.Text.Json.JsonElement.DeepEquals(a, b) : other.PolicyBlock is null);

    public override int GetHashCode() => HashCode.Combine(Metadata, Convert.ToBase64String(EphemeralPublicKey.Span));

    public override string ToString() => $"SealedCredential({Metadata.Name}, slot {SealSlots.ToWire(Slot)})";

    /// <summary>The envelope as indented UTF-8 JSON, fields in a fixed order.</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream(1024);
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber(SealedCredentialFields.Version, FileVersion);
            json.WriteString(SealedCredentialFields.Name, Metadata.Name);
            json.WriteString(SealedCredentialFields.AccessKey, Metadata.AccessKey);
            json.WriteString(SealedCredentialFields.Approval, Metadata.Approval.ToWire());
            json.WriteStartArray(SealedCredentialFields.Scopes);
            foreach (var scope in Metadata.Scopes) json.WriteStringValue(scope);
            json.WriteEndArray();
            json.WriteString(SealedCredentialFields.Created, CredentialMetadata.FormatTime(Metadata.Created));
            json.WriteString(SealedCredentialFields.Expires, CredentialMetadata.FormatTime(Metadata.Expires));
            json.WriteString(SealedCredentialFields.Slot, SealSlots.ToWire(Slot));
            // Version 1 stays byte-for-byte what was written before pockets, so an older appliance still reads it.
            if (Metadata.Version == CredentialMetadata.OtherPocketVersion)
                json.WriteString(SealedCredentialFields.Pocket, Metadata.Pocket);
            json.WriteBase64String(SealedCredentialFields.TokenPublicKey, TokenPublicKey.Span);
            json.WriteBase64String(SealedCredentialFields.EphemeralPublicKey, EphemeralPublicKey.Span);
            json.WriteBase64String(SealedCredentialFields.Nonce, Nonce.Span);
            json.WriteBase64String(SealedCredentialFields.Ciphertext, Ciphertext.Span);
            json.WriteBase64String(SealedCredentialFields.Tag, Tag.Span);
            if (Recovery is { } r)
            {
                json.WriteStartObject(SealedCredentialFields.Recovery);
                json.WriteBase64String(SealedCredentialFields.RecoveryPublicKey, r.PublicKey.Span);
                json.WriteBase64String(SealedCredentialFields.EphemeralPublicKey, r.EphemeralPublicKey.Span);
                json.WriteBase64String(SealedCredentialFields.Nonce, r.Nonce.Span);
                json.WriteBase64String(SealedCredentialFields.Ciphertext, r.Ciphertext.Span);
                json.WriteBase64String(SealedCredentialFields.Tag, r.Tag.Span);
                json.WriteEndObject();
            }
            if (PolicyBlock is { } policy)
            {
                json.WritePropertyName(SealedCredentialFields.Policy);
                policy.WriteTo(json);
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>
    /// Parses an envelope. Any problem is a <see cref="FormatException"/> that names the field;
    /// unknown or duplicate fields are refused so nothing on disk is silently ignored.
    /// </summary>
    public static SealedCredential FromJson(string json) => SealedCredentialReader.Read(json);
}
