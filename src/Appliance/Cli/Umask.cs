using System.Runtime.InteropServices;

namespace Appliance.Cli;

/// <summary>The process runs with umask 077 so nothing it creates is readable by other users.</summary>
internal static partial class Umask
{
    [LibraryImport("libc", EntryPoint = "umask")]
    private static partial uint SetUmask(uint mask);

    public static void RestrictToOwner()
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
            SetUmask(0x3F); // 077
    }
}
