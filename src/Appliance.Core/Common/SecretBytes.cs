using System.Security.Cryptography;

namespace Appliance.Common;

/// <summary>
/// A secret in native memory of its own: whole pages from <c>NativeMemory.AlignedAlloc</c> that no
/// other object shares, locked in RAM (mlock, so never swapped) and left out of core dumps
/// (MADV_DONTDUMP) where the kernel allows. The GC never sees or copies it. Dispose zeroes the pages,
/// unlocks and frees them; a SecretBytes that is never disposed is still zeroed and freed by the
/// handle's finalizer. Owns its buffer: whoever holds the SecretBytes disposes it. The span is valid
/// until Dispose, so a holder shared between threads must not dispose while another thread reads
/// (CredentialVault's lock sees to that).
/// </summary>
public sealed class SecretBytes : IDisposable
{
    private readonly SecretMemory _memory;

    private SecretBytes(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _memory = SecretMemory.Allocate(length);
        Length = length;
    }

    /// <summary>Copies <paramref name="source"/> into new locked pages; the caller still zeroes its copy.</summary>
    public static SecretBytes CopyFrom(ReadOnlySpan<byte> source)
    {
        var secret = new SecretBytes(source.Length);
        source.CopyTo(secret._memory.Bytes(source.Length));
        return secret;
    }

    /// <summary>Copies <paramref name="source"/> and zeroes it.</summary>
    public static SecretBytes TakeFrom(byte[] source)
    {
        try { return CopyFrom(source); }
        finally { CryptographicOperations.ZeroMemory(source); }
    }

    /// <summary>
    /// Zeroed locked pages for <paramref name="length"/> bytes that the caller fills through
    /// <see cref="WritableSpan"/>: lets a secret be read, decrypted or encoded straight into its final
    /// place, with no managed copy on the way.
    /// </summary>
    internal static SecretBytes Allocate(int length) => new(length);

    public int Length { get; }

    public bool IsDisposed => _memory.IsClosed;

    /// <summary>True when the pages are locked in RAM (mlock succeeded); false after Dispose.</summary>
    public bool IsLocked => !_memory.IsClosed && _memory.Protection.Locked;

    /// <summary>True when the pages are left out of core dumps (MADV_DONTDUMP); false after Dispose.</summary>
    public bool IsExcludedFromDumps => !_memory.IsClosed && _memory.Protection.ExcludedFromDumps;

    public ReadOnlySpan<byte> Span => WritableSpan;

    internal Span<byte> WritableSpan
    {
        get
        {
            ObjectDisposedException.ThrowIf(_memory.IsClosed, this);
            return _memory.Bytes(Length);
        }
    }

    /// <summary>errno of the failed mlock (0 when locked): EPERM or ENOMEM mean RLIMIT_MEMLOCK is too small.</summary>
    internal int LockErrno => _memory.Protection.LockErrno;

    /// <summary>For tests: where the pages start.</summary>
    internal nint AddressForTests => _memory.DangerousGetHandle();

    /// <summary>For tests: the pages read back as zero after they were wiped, just before they were freed.</summary>
    internal bool ZeroedOnDispose => _memory.ZeroVerified;

    /// <summary>For tests: called when the pages are released (by Dispose or, for a leak, by the finalizer), with whether they read back as zero.</summary>
    internal Action<bool>? ReleasedForTests { set => _memory.Released = value; }

    public void Dispose() => _memory.Dispose();

    public override string ToString() => "SecretBytes(redacted)";
}
