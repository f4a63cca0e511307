using System.Security.Cryptography;

namespace Appliance.Common;

/// <summary>
/// A secret held in a pinned array (the GC never copies it) and zeroed on Dispose.
/// Owns its buffer: whoever holds the SecretBytes disposes it.
/// </summary>
public sealed class SecretBytes : IDisposable
{
    private readonly byte[] _buffer;
    private bool _disposed;

    private SecretBytes(int length) => _buffer = GC.AllocateArray<byte>(length, pinned: true);

    /// <summary>Copies <paramref name="source"/> into a new pinned buffer; the caller still zeroes its copy.</summary>
    public static SecretBytes CopyFrom(ReadOnlySpan<byte> source)
    {
        var secret = new SecretBytes(source.Length);
        source.CopyTo(secret._buffer);
        return secret;
    }

    /// <summary>Copies <paramref name="source"/> and zeroes it.</summary>
    public static SecretBytes TakeFrom(byte[] source)
    {
        try { return CopyFrom(source); }
        finally { CryptographicOperations.ZeroMemory(source); }
    }

    public int Length => _buffer.Length;

    public bool IsDisposed => _disposed;

    public ReadOnlySpan<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _buffer;
        }
    }

    /// <summary>For tests that check the buffer really was zeroed.</summary>
    internal byte[] UnsafeBufferForTests => _buffer;

    public void Dispose()
    {
        if (_disposed) return;
        CryptographicOperations.ZeroMemory(_buffer);
        _disposed = true;
    }

    public override string ToString() => "SecretBytes(redacted)";
}
