using System.Text;
using System.Text.Json;
using Appliance.Token;

namespace Appliance.Sealing;

/// <summary>
/// One sealed credential as stored in credentials/NAME.sealed.json. Metadata is in clear (it is not
/// secret, and it is authenticated as associated data); the secret is only in the ciphertext.
/// <code>
/// {"v":1,"name":…,"access_key":…,"approval":…,"scopes":[…],"created":…,"expires":…,"slot":"seal",
///  "token_public_key":B64(65),"epk":B64(65),"nonce":B64(12),"ciphertext":B64,"tag":B64(16)}
/// </code>
/// A credential outside the main pocket is version 2 and has <c>"pocket":…</c> after the slot (ENVELOPE.md).
/// </summary>
public sealed record SealedCredential
{
    /// <summary>The envelope versions this appliance reads: 1 (main pocket) and 2 (any other pocket).</summary>
    public static readonly IReadOnlyList<int> Versions = [CredentialMetadata.MainPocketVersion, CredentialMetadata.OtherPocketVersion];
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

    public bool Equals(SealedCredential? other) =>
        other is not null
        && Metadata.Equals(other.Metadata)
        && TokenPublicKey.Span.SequenceEqual(other.TokenPublicKey.Span)
        && EphemeralPublicKey.Span.SequenceEqual(other.EphemeralPublicKey.Span)
        && Nonce.Span.SequenceEqual(other.Nonce.Span)
        && Ciphertext.Span.SequenceEqual(other.Ciphertext.Span)
        && Tag.Span.SequenceEqual(other.Tag.Span);

    public override int GetHashCode() => HashCode.Combine(Metadata, Convert.ToBase64String(EphemeralPublicKey.Span));

    public override string ToString() => $"SealedCredential({Metadata.Name}, slot {SealSlots.ToWire(Slot)})";

    /// <summary>The envelope as indented UTF-8 JSON, fields in a fixed order.</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream(1024);
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber(SealedCredentialFields.Version, Metadata.Version);
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
