using System.Security.Cryptography;
using Appliance.Sealing;
using Appliance.Token;

namespace Appliance.Tests.Sealing;

internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>A private directory under /tmp, deleted on Dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Path = Directory.CreateTempSubdirectory("appliance-seal-").FullName;

    public string Path { get; }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Passes through to a real token and keeps every ECDH result it handed out, to check they were zeroed.</summary>
internal sealed class RecordingToken(IHardwareToken inner) : IHardwareToken
{
    public List<byte[]> SharedSecrets { get; } = [];

    public string Serial => inner.Serial;

    public bool IsSoftware => inner.IsSoftware;

    public bool IsPresent() => inner.IsPresent();

    public byte[] GetPublicKey(KeySlot slot) => inner.GetPublicKey(slot);

    public byte[] DeriveSharedSecret(KeySlot slot, ReadOnlySpan<byte> peerPublicPoint)
    {
        var z = inner.DeriveSharedSecret(slot, peerPublicPoint);
        SharedSecrets.Add(z);
        return z;
    }

    public byte[] SignDigest(KeySlot slot, ReadOnlySpan<byte> sha256Digest) => inner.SignDigest(slot, sha256Digest);

    public void Dispose() => inner.Dispose();
}

internal static class Samples
{
    public static readonly DateTimeOffset Created = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static readonly byte[] Secret = "kR7pQ2vX9mZ4tL8wN3bY6cF1hJ5sD0gA-upbit-secret"u8.ToArray();

    public static CredentialMetadata Metadata(string name = "main", ApprovalMode approval = ApprovalMode.None, string[]? scopes = null) =>
        new(name, "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789ABCD", approval, scopes ?? ["trade", "view-assets"],
            Created, Created.AddYears(1));

    public static byte[] FreshPoint()
    {
        using var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        return P256Point.Encode(key);
    }
}
