using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Appliance.Common;

/// <summary>
/// The pages behind a <see cref="SecretBytes"/>. A SafeHandle, so its release runs exactly once:
/// from Dispose, or from the critical finalizer when the owner leaked it. Release zeroes the pages,
/// undoes mlock and MADV_DONTDUMP, and frees them.
/// </summary>
internal sealed class SecretMemory : SafeHandle
{
    private SecretMemory() : base(IntPtr.Zero, ownsHandle: true) { }

    /// <summary>Whole pages: at least one, so no other allocation shares them.</summary>
    public nuint Size { get; private set; }

    public LockedMemory.Protection Protection { get; private set; }

    public bool ZeroVerified { get; private set; }

    /// <summary>For tests: called with <see cref="ZeroVerified"/> once the pages are released.</summary>
    public Action<bool>? Released { get; set; }

    public override bool IsInvalid => handle == IntPtr.Zero;

    public static unsafe SecretMemory Allocate(int length)
    {
        var page = (nuint)LockedMemory.PageSize;
        var size = ((nuint)Math.Max(length, 1) + page - 1) / page * page;
        var memory = new SecretMemory();
        // Allocated, zeroed and protected before anything is written: a secret never sits in an unlocked page.
        var address = NativeMemory.AlignedAlloc(size, page);
        NativeMemory.Clear(address, size);
        memory.SetHandle((nint)address);
        memory.Size = size;
        memory.Protection = LockedMemory.Protect((nint)address, size);
        return memory;
    }

    public unsafe Span<byte> Bytes(int length) => new((void*)handle, length);

    protected override unsafe bool ReleaseHandle()
    {
        var all = new Span<byte>((void*)handle, checked((int)Size));
        CryptographicOperations.ZeroMemory(all);
        ZeroVerified = all.IndexOfAnyExcept((byte)0) < 0;
        LockedMemory.Unprotect(handle, Size, Protection);
        NativeMemory.AlignedFree((void*)handle);
        Released?.Invoke(ZeroVerified);
        return true;
    }
}
