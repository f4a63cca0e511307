using System.Security.Cryptography;
using System.Text;
using Appliance.Common;
using Appliance.Token;

namespace Appliance.Sealing;

/// <summary>
/// The envelope (DESIGN.md "Sealing", after age-plugin-yubikey, on P-256):
/// Z = ECDH(ephemeral private, slot public key), 32-byte X coordinate;
/// K = HKDF-SHA256(ikm Z, salt = epk(65) || pk(65), info = "appliance/v1/seal" || name), 32 bytes;
/// AES-256-GCM with a random 12-byte nonce, 16-byte tag, and the canonical metadata as associated data.
/// Sealing needs only the public key; unsealing asks the token for the ECDH.
/// </summary>
public static class CredentialSealer
{
    public const string InfoPrefix = "appliance/v1/seal";

    /// <summary>The HKDF info prefix of the recovery copy: another purpose, so the two keys can never coincide.</summary>
    public const string RecoveryInfoPrefix = "appliance/v2/seal-recovery";
    public const int KeyLength = 32;

    /// <summary>
    /// Seals <paramref name="secret"/> to the slot key, and, when <paramref name="recoveryPublicKey"/> is given, a second
    /// time to the recovery token's key (envelope v3 "recovery").
    /// </summary>
    public static SealedCredential Seal(CredentialMetadata meta, ReadOnlySpan<byte> slotPublicKey, ReadOnlySpan<byte> secret,
        ReadOnlySpan<byte> recoveryPublicKey = default)
    {
        var primary = SealOnce(meta, slotPublicKey, secret, InfoPrefix);
        if (recoveryPublicKey.IsEmpty) return primary;
        var recovery = SealOnce(meta, recoveryPublicKey, secret, RecoveryInfoPrefix);
        return primary with
        {
            Recovery = new RecoveryRecipient(recoveryPublicKey, recovery.EphemeralPublicKey.Span, recovery.Nonce.Span,
                recovery.Ciphertext.Span, recovery.Tag.Span),
        };
    }

    /// <summary>
    /// Opens the recovery copy of <paramref name="sealed"/> with the recovery token (its seal slot, 9d). Errors as <see cref="Unseal"/>.
    /// </summary>
    public static SecretBytes UnsealRecovery(SealedCredential @sealed, IHardwareToken recoveryToken)
    {
        ArgumentNullException.ThrowIfNull(@sealed);
        var recovery = @sealed.Recovery ?? throw new InvalidOperationException(
            $"Credential '{@sealed.Name}' has no recovery copy (it was sealed before a recovery key was enrolled); add it again with `appliance credentials rotate {@sealed.Name}`.");
        return Open(@sealed.Metadata, recoveryToken, KeySlot.Seal, recovery.PublicKey.Span, recovery.EphemeralPublicKey.Span,
            recovery.Nonce.Span, recovery.Ciphertext.Span, recovery.Tag.Span, RecoveryInfoPrefix, "recovery token");
    }

    private static SealedCredential SealOnce(CredentialMetadata meta, ReadOnlySpan<byte> slotPublicKey, ReadOnlySpan<byte> secret, string infoPrefix)
    {
        ArgumentNullException.ThrowIfNull(meta);
        var peerParameters = P256Point.ToPublicParameters(slotPublicKey, nameof(slotPublicKey));
        if (secret.Length is 0 or > SealedCredential.MaxSecretLength)
            throw new ArgumentException($"The secret must be 1-{SealedCredential.MaxSecretLength} bytes; got {secret.Length}.", nameof(secret));

        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        using var peer = ECDiffieHellman.Create(peerParameters);
        var epk = P256Point.Encode(ephemeral);
        using var key = SecretBytes.Allocate(KeyLength);
        // .NET hands the ECDH result back only as a managed array: zeroed as soon as the key is derived.
        var z = ephemeral.DeriveRawSecretAgreement(peer.PublicKey);
        try
        {
            DeriveKey(z, epk, slotPublicKey, infoPrefix + meta.Name, key.WritableSpan);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(z);
        }
        var nonce = RandomNumberGenerator.GetBytes(SealedCredential.NonceLength);
        var ciphertext = new byte[secret.Length];
        var tag = new byte[SealedCredential.TagLength];
        using (var aes = new AesGcm(key.Span, SealedCredential.TagLength))
            aes.Encrypt(nonce, secret, ciphertext, tag, meta.ToAssociatedData());
        return new SealedCredential(meta, slotPublicKey, epk, nonce, ciphertext, tag);
    }

    /// <summary>
    /// Opens <paramref name="sealed"/> with <paramref name="token"/>. Wrong token key:
    /// <see cref="InvalidOperationException"/>. Altered metadata or envelope: <see cref="CryptographicException"/>.
    /// The caller owns (and disposes) the returned secret.
    /// </summary>
    public static SecretBytes Unseal(SealedCredential @sealed, IHardwareToken token)
    {
        ArgumentNullException.ThrowIfNull(@sealed);
        return Open(@sealed.Metadata, token, @sealed.Slot, @sealed.TokenPublicKey.Span, @sealed.EphemeralPublicKey.Span,
            @sealed.Nonce.Span, @sealed.Ciphertext.Span, @sealed.Tag.Span, InfoPrefix, "token");
    }

    private static SecretBytes Open(CredentialMetadata meta, IHardwareToken token, KeySlot slot, ReadOnlySpan<byte> sealedTo,
        ReadOnlySpan<byte> epk, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, string infoPrefix, string which)
    {
        ArgumentNullException.ThrowIfNull(token);
        var name = meta.Name;
        var tokenKey = token.GetPublicKey(slot);
        if (!CryptographicOperations.FixedTimeEquals(tokenKey, sealedTo))
            throw new InvalidOperationException(
                $"Credential '{name}' was sealed to a different {which} key (slot {slot.PivName()} of another token, or a key that was regenerated); " +
                $"plug in the token it was sealed with, or add it again with `appliance credentials rotate {name}`.");

        var z = token.DeriveSharedSecret(slot, epk);
        if (z.Length != P256Point.CoordinateLength)
        {
            CryptographicOperations.ZeroMemory(z);
            throw new InvalidOperationException(
                $"The token returned a {z.Length}-byte ECDH result for slot {slot.PivName()}; expected {P256Point.CoordinateLength}. Check the token driver.");
        }
        // The key and the plaintext live only in locked pages; the secret is decrypted straight into
        // the SecretBytes handed back, so no copy of it is left to zero.
        SecretBytes? plaintext = null;
        try
        {
            plaintext = SecretBytes.Allocate(ciphertext.Length);
            using var key = SecretBytes.Allocate(KeyLength);
            DeriveKey(z, epk, tokenKey, infoPrefix + name, key.WritableSpan);
            CryptographicOperations.ZeroMemory(z);
            using var aes = new AesGcm(key.Span, SealedCredential.TagLength);
            try
            {
                aes.Decrypt(nonce, ciphertext, tag, plaintext.WritableSpan, meta.ToAssociatedData());
            }
            catch (AuthenticationTagMismatchException e)
            {
                throw new CryptographicException(
                    $"Credential '{name}' failed authentication: its sealed file or metadata was altered or is corrupt. " +
                    $"Restore credentials/{name}.sealed.json from a backup, or add it again with `appliance credentials rotate {name}`.", e);
            }
            (var result, plaintext) = (plaintext, null);
            return result;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(z);
            plaintext?.Dispose();
        }
    }

    /// <summary>K = HKDF-SHA256(ikm z, salt = epk || pk, info = prefix || name), prefix "appliance/v1/seal" or the recovery one.</summary>
    internal static void DeriveKey(ReadOnlySpan<byte> z, ReadOnlySpan<byte> epk, ReadOnlySpan<byte> pk, string infoWithName, Span<byte> key)
    {
        Span<byte> salt = stackalloc byte[2 * P256Point.Length];
        epk.CopyTo(salt);
        pk.CopyTo(salt[P256Point.Length..]);
        var info = Encoding.UTF8.GetBytes(infoWithName);
        HKDF.DeriveKey(HashAlgorithmName.SHA256, z, key, salt, info);
    }
}
