namespace Appliance.Token;

/// <summary>
/// The hardware seam: everything the appliance asks of the key that seals its secrets.
/// Implemented by the PKCS#11 token (YubiKey through ykcs11, SoftHSM2 in tests) and by the
/// in-process software token that <c>demo</c> uses. Private keys never leave the token;
/// only public points, ECDH results and signatures come out.
/// </summary>
public interface IHardwareToken : IDisposable
{
    /// <summary>A stable identity of this token (YubiKey serial, SoftHSM serial, "software-…").</summary>
    string Serial { get; }

    /// <summary>True for the demo's in-process token, which protects nothing.</summary>
    bool IsSoftware { get; }

    /// <summary>Polled by the presence monitor; must be cheap and must not throw.</summary>
    bool IsPresent();

    /// <summary>The slot's public key as the uncompressed 65-byte P-256 point (0x04 || X || Y).</summary>
    byte[] GetPublicKey(KeySlot slot);

    /// <summary>ECDH on P-256: the 32-byte shared secret X coordinate. The caller zeroes it.</summary>
    byte[] DeriveSharedSecret(KeySlot slot, ReadOnlySpan<byte> peerPublicPoint);

    /// <summary>ECDSA P-256 over a precomputed SHA-256 digest; the signature as r || s (64 bytes).</summary>
    byte[] SignDigest(KeySlot slot, ReadOnlySpan<byte> sha256Digest);
}
