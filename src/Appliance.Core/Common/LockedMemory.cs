using System.Globalization;
using System.Runtime.InteropServices;

namespace Appliance.Common;

/// <summary>
/// The few libc calls that keep secrets out of swap and out of core dumps, in one place. Linux only:
/// elsewhere every call does nothing and reports so. Never <c>mlockall</c>: it would pin the whole GC
/// heap and every thread stack, and the runtime's growth would then fail against RLIMIT_MEMLOCK.
/// </summary>
internal static partial class LockedMemory
{
    private const int MadvDontDump = 16;
    private const int MadvDoDump = 17;
    private const int PrGetDumpable = 3;
    private const int PrSetDumpable = 4;
    private const int RlimitMemlock = 8; // the generic value, as on x86-64, arm and arm64
    private const int CapIpcLock = 14;

    public static bool IsSupported => OperatingSystem.IsLinux();

    public static int PageSize => Environment.SystemPageSize;

    /// <summary>What <see cref="Protect"/> managed; errno of a failed mlock (EPERM, ENOMEM at the limit).</summary>
    public readonly record struct Protection(bool Locked, bool ExcludedFromDumps, int LockErrno);

    /// <summary>
    /// mlock and madvise(MADV_DONTDUMP) for whole pages at <paramref name="address"/>. A failure is
    /// reported, never thrown: an unlocked secret is still better than no signing.
    /// </summary>
    public static Protection Protect(nint address, nuint length)
    {
        if (!IsSupported) return new(false, false, 0);
        var locked = mlock(address, length) == 0;
        var errno = locked ? 0 : Marshal.GetLastPInvokeError();
        var excluded = madvise(address, length, MadvDontDump) == 0;
        return new(locked, excluded, errno);
    }

    /// <summary>Undoes <see cref="Protect"/> before the pages go back to the allocator, so its VMAs merge again.</summary>
    public static void Unprotect(nint address, nuint length, Protection protection)
    {
        if (!IsSupported) return;
        if (protection.Locked) _ = munlock(address, length);
        if (protection.ExcludedFromDumps) _ = madvise(address, length, MadvDoDump);
    }

    /// <summary>
    /// prctl(PR_SET_DUMPABLE, 0): no core dump of this process, and other processes of the same user
    /// may not ptrace it or read its memory through /proc. Returns false where it is not done.
    /// </summary>
    public static bool DisableCoreDumps() => IsSupported && prctl(PrSetDumpable, 0, 0, 0, 0) == 0;

    /// <summary>prctl(PR_GET_DUMPABLE): 0 after <see cref="DisableCoreDumps"/>; null off Linux.</summary>
    public static int? Dumpable() => IsSupported ? prctl(PrGetDumpable, 0, 0, 0, 0) : null;

    /// <summary>The soft RLIMIT_MEMLOCK in bytes (ulong.MaxValue: unlimited); null off Linux.</summary>
    public static ulong? MemlockLimit()
    {
        if (!IsSupported || getrlimit(RlimitMemlock, out var limit) != 0) return null;
        return limit.Current == nuint.MaxValue ? ulong.MaxValue : limit.Current;
    }

    /// <summary>True when the process holds CAP_IPC_LOCK (root usually does): then RLIMIT_MEMLOCK does not apply.</summary>
    public static bool HasIpcLockCapability() =>
        StatusField("CapEff") is { } hex
        && ulong.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var caps)
        && (caps & (1UL << CapIpcLock)) != 0;

    /// <summary>VmLck of /proc/self/status in KiB: how much this process has locked; null off Linux.</summary>
    public static long? LockedKilobytes() =>
        StatusField("VmLck") is { } text && long.TryParse(text.Split(' ')[0], CultureInfo.InvariantCulture, out var kb) ? kb : null;

    private static string? StatusField(string name)
    {
        if (!IsSupported) return null;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith(name + ":", StringComparison.Ordinal)) return line[(name.Length + 1)..].Trim();
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public nuint Current; // rlim_t is unsigned long on Linux
        public nuint Maximum;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int mlock(nint address, nuint length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int munlock(nint address, nuint length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int madvise(nint address, nuint length, int advice);

    // prctl is variadic in glibc; on x86-64 and AArch64 Linux variadic integer arguments travel like fixed ones.
    [LibraryImport("libc", SetLastError = true)]
    private static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrlimit(int resource, out RLimit limit);
}
