namespace Appliance.Sealing;

/// <summary>
/// The secret sealed a second time, to the recovery token's public key (envelope v3 member <c>"recovery"</c>):
/// the same construction as the primary recipient, with its own ephemeral key and nonce and the info string
/// <c>"appliance/v2/seal-recovery" || name</c>, and the same metadata as associated data. With it, a data dir can be
/// moved to a new primary token when the primary is lost (<c>appliance recovery restore</c>).
/// </summary>
public sealed record RecoveryRecipient
{
    public RecoveryRecipient(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> ephemeralPublicKey, ReadOnlySpan<byte> nonce,
        ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag)
    {
        P256Point.Validate(publicKey, nameof(publicKey));
        P256Point.Validate(ephemeralPublicKey, nameof(ephemeralPublicKey));
        if (nonce.Length != SealedCredential.NonceLength)
            throw new ArgumentException($"The nonce must be {SealedCredential.NonceLength} bytes; got {nonce.Length}.", nameof(nonce));
        if (ciphertext.Length is 0 or > SealedCredential.MaxSecretLength)
            throw new ArgumentException($"The ciphertext must be 1-{SealedCredential.MaxSecretLength} bytes; got {ciphertext.Length}.", nameof(ciphertext));
        if (tag.Length != SealedCredential.TagLength)
            throw new ArgumentException($"The tag must be {SealedCredential.TagLength} bytes; got {tag.Length}.", nameof(tag));
        PublicKey = publicKey.ToArray();
        EphemeralPublicKey = ephemeralPublicKey.ToArray();
        Nonce = nonce.ToArray();
        Ciphertext = ciphertext.ToArray();
        Tag = tag.ToArray();
    }

    /// <summary>The recovery token's public key (its seal slot, 9d) this copy was sealed to.</summary>
    public ReadOnlyMemory<byte> PublicKey { get; }

    public ReadOnlyMemory<byte> EphemeralPublicKey { get; }

    public ReadOnlyMemory<byte> Nonce { get; }

    public ReadOnlyMemory<byte> Ciphertext { get; }

    public ReadOnlyMemory<byte> Tag { get; }

    public bool Equals(RecoveryRecipient? other) =>
        other is not null
        && PublicKey.Span.SequenceEqual(other.PublicKey.Span)
        && EphemeralPublicKey.Span.SequenceEqual(other.EphemeralPublicKey.Span)
        && Nonce.Span.SequenceEqual(other.Nonce.Span)
        && Ciphertext.Span.SequenceEqual(other.Ciphertext.Span)
        && Tag.Span.SequenceEqual(other.Tag.Span);

    public override int GetHashCode() => Convert.ToBase64String(EphemeralPublicKey.Span).GetHashCode(StringComparison.Ordinal);
}
