using System.Globalization;
using Appliance.Common;
using Appliance.Config;
using Appliance.Sealing;

namespace Appliance.Cli;

/// <summary>
/// What the process does about its memory at start: no core dumps (every command: init reads the
/// PIN, credentials add reads a secret), and for serve and demo one check that the secrets can be
/// locked in RAM, with one warning when they cannot. Signing goes on either way.
/// </summary>
internal static class ProcessHardening
{
    /// <summary>
    /// Locked pages the server needs at most: one per credential, twice while a reload builds the new
    /// set beside the old, plus the PIN, an unseal key and a touch unseal in flight, and a spare.
    /// </summary>
    public static int PagesNeeded(int credentials) => 2 * credentials + 4;

    /// <summary>prctl(PR_SET_DUMPABLE, 0): before anything reads a secret.</summary>
    public static void DisableCoreDumps() => LockedMemory.DisableCoreDumps();

    /// <summary>
    /// Locks one probe page and compares RLIMIT_MEMLOCK with what the credentials on disk need.
    /// Returns the one warning to print, or null when secrets will be locked.
    /// </summary>
    public static string? CheckMemoryLock(DataDir data)
    {
        if (!LockedMemory.IsSupported) return null;
        var page = LockedMemory.PageSize;
        var credentials = Directory.Exists(data.CredentialsDir)
            ? Directory.EnumerateFiles(data.CredentialsDir, "*" + CredentialStore.FileSuffix).Count()
            : 0;
        var needed = (ulong)PagesNeeded(credentials) * (ulong)page;
        var limit = LockedMemory.MemlockLimit();
        var advice = $"set LimitMEMLOCK={Recommended(needed)} in the appliance's systemd unit, and turn swap off (docs/yubikey.md)";
        using (var probe = SecretBytes.Allocate(1))
        {
            if (!probe.IsLocked)
                return $"warning: secrets cannot be locked in RAM (mlock failed: {ErrnoName(probe.LockErrno)}; RLIMIT_MEMLOCK is {Describe(limit)}), " +
                       $"so the kernel may write them to swap; {advice}. Signing goes on.";
        }
        if (limit is { } bytes && bytes != ulong.MaxValue && bytes < needed && !LockedMemory.HasIpcLockCapability())
            return $"warning: RLIMIT_MEMLOCK is {Describe(limit)}, but {credentials} credential(s) need up to {needed / 1024} KiB locked " +
                   $"({page / 1024} KiB pages, one per secret, twice during a reload); secrets past the limit are not locked and may reach swap; {advice}.";
        return null;
    }

    /// <summary>A round size with headroom, as systemd takes it (K, M).</summary>
    private static string Recommended(ulong needed)
    {
        var mib = Math.Max(1UL, (needed * 2 + (1 << 20) - 1) >> 20);
        return string.Create(CultureInfo.InvariantCulture, $"{mib}M");
    }

    private static string Describe(ulong? limit) => limit switch
    {
        null => "unknown",
        ulong.MaxValue => "unlimited",
        var bytes => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024} KiB"),
    };

    private static string ErrnoName(int errno) => errno switch
    {
        1 => "EPERM, not permitted",
        11 => "EAGAIN, some pages could not be locked",
        12 => "ENOMEM, over RLIMIT_MEMLOCK",
        _ => string.Create(CultureInfo.InvariantCulture, $"errno {errno}"),
    };
}
