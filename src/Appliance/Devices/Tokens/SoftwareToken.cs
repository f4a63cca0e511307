using System.Security.Cryptography;
using Appliance.Sealing;
using Appliance.Token;

namespace Appliance.Devices.Tokens;

/// <summary>
/// The in-process token for <c>appliance demo</c> and tests: one P-256 key pair per <see cref="KeySlot"/>,
/// held in process memory. It protects nothing (the keys sit in RAM and, when saved, in a file), so it
/// reports <see cref="IsSoftware"/> and the server must never accept it outside demo mode.
/// <see cref="Unplug"/>/<see cref="Plug"/> simulate removing the token, which real hardware does by hand.
/// </summary>
public sealed partial class SoftwareToken : IHardwareToken
{
    public const string SerialPrefix = "software-";
    private const int DigestLength = 32;

    // Each slot's private key lives in two objects because .NET separates ECDsa from ECDiffieHellman.
    private readonly Dictionary<KeySlot, (ECDsa Signer, ECDiffieHellman Agreer, byte[] PublicPoint)> _keys;
    private readonly Lock _gate = new();
    private volatile bool _unplugged;
    private bool _disposed;

    private SoftwareToken(string serial, DateTimeOffset created, Dictionary<KeySlot, (ECDsa, ECDiffieHellman, byte[])> keys)
    {
        Serial = serial;
        Created = created;
        _keys = keys;
    }

    public string Serial { get; }

    /// <summary>When the keys were generated (kept across Save/Load).</summary>
    public DateTimeOffset Created { get; }

    public bool IsSoftware => true;

    /// <summary>Generates fresh keys for every slot and a random serial.</summary>
    public static SoftwareToken Create(TimeProvider? timeProvider = null)
    {
        var created = (timeProvider ?? TimeProvider.System).GetUtcNow();
        var serial = SerialPrefix + RandomNumberGenerator.GetHexString(8, lowercase: true);
        var keys = new Dictionary<KeySlot, (ECDsa, ECDiffieHellman, byte[])>();
        try
        {
            foreach (var slot in KeySlots.All)
            {
                using var generated = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                var pkcs8 = generated.ExportPkcs8PrivateKey();
                try { keys[slot] = ImportKeyPair(pkcs8); }
                finally { CryptographicOperations.ZeroMemory(pkcs8); }
            }
        }
        catch
        {
            DisposeKeys(keys);
            throw;
        }
        return new SoftwareToken(serial, created, keys);
    }

    public bool IsPresent() => !_unplugged && !Volatile.Read(ref _disposed);

    /// <summary>Simulates pulling the token out: every operation but <see cref="IsPresent"/> then throws.</summary>
    public void Unplug() => _unplugged = true;

    /// <summary>Simulates plugging the token back in.</summary>
    public void Plug() => _unplugged = false;

    public byte[] GetPublicKey(KeySlot slot)
    {
        lock (_gate)
        {
            return (byte[])KeyFor(slot).PublicPoint.Clone();
        }
    }

    public byte[] DeriveSharedSecret(KeySlot slot, ReadOnlySpan<byte> peerPublicPoint)
    {
        var peerParameters = P256Point.ToPublicParameters(peerPublicPoint, nameof(peerPublicPoint));
        using var peer = ECDiffieHellman.Create(peerParameters);
        lock (_gate)
        {
            return KeyFor(slot).Agreer.DeriveRawSecretAgreement(peer.PublicKey);
        }
    }

    public byte[] SignDigest(KeySlot slot, ReadOnlySpan<byte> sha256Digest)
    {
        if (sha256Digest.Length != DigestLength)
            throw new ArgumentException($"Expected a {DigestLength}-byte SHA-256 digest; got {sha256Digest.Length} bytes.", nameof(sha256Digest));
        lock (_gate)
        {
            return KeyFor(slot).Signer.SignHash(sha256Digest, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            DisposeKeys(_keys);
            _keys.Clear();
            Volatile.Write(ref _disposed, true);
        }
    }

    public override string ToString() => $"SoftwareToken({Serial})";

    // Callers hold _gate.
    private (ECDsa Signer, ECDiffieHellman Agreer, byte[] PublicPoint) KeyFor(KeySlot slot)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_unplugged)
            throw new InvalidOperationException("The token is not present; plug it back in.");
        if (!_keys.TryGetValue(slot, out var key))
            throw new ArgumentOutOfRangeException(nameof(slot), slot, "The software token has no key in this slot.");
        return key;
    }

    private static (ECDsa, ECDiffieHellman, byte[]) ImportKeyPair(ReadOnlySpan<byte> pkcs8)
    {
        var signer = ECDsa.Create();
        var agreer = ECDiffieHellman.Create();
        try
        {
            signer.ImportPkcs8PrivateKey(pkcs8, out _);
            agreer.ImportPkcs8PrivateKey(pkcs8, out _);
            if (signer.KeySize != 256 || signer.ExportParameters(false).Curve.Oid?.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
                throw new ArgumentException("The software token key is not a P-256 key.", nameof(pkcs8));
            return (signer, agreer, P256Point.Encode(signer));
        }
        catch
        {
            signer.Dispose();
            agreer.Dispose();
            throw;
        }
    }

    private static void DisposeKeys(Dictionary<KeySlot, (ECDsa Signer, ECDiffieHellman Agreer, byte[] PublicPoint)> keys)
    {
        foreach (var (signer, agreer, _) in keys.Values)
        {
            signer.Dispose();
            agreer.Dispose();
        }
    }
}
