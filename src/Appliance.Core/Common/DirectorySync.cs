using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Appliance.Common;

/// <summary>
/// The one place that makes a directory's entries durable: libc <c>open(dir, O_RDONLY|O_DIRECTORY|O_CLOEXEC)</c>,
/// <c>fsync</c>, <c>close</c>. After a rename, a create or a delete, the change is on disk only once the
/// directory itself is fsync'd; .NET will not open a directory as a file, so this goes through libc.
/// A failure is an <see cref="IOException"/> naming the errno: a caller that cannot make its change
/// durable must know it (never swallowed).
/// </summary>
public static partial class DirectorySync
{
    /// <summary>Name of the <see cref="DiagnosticListener"/> that reports each fsync'd directory (event "Synced",
    /// payload: the full path). Observation only: tests subscribe to prove the fsync ran; nothing in the
    /// appliance listens, and with no listener it costs one check.</summary>
    public const string ListenerName = "Appliance.DirectorySync";

    public const string SyncedEvent = "Synced";

    private static readonly DiagnosticListener Events = new(ListenerName);

    /// <summary>fsyncs <paramref name="directory"/>. Throws IOException when it cannot be opened as a directory or fsync fails.</summary>
    public static void Fsync(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (OperatingSystem.IsWindows()) return; // NTFS makes renames durable with the file's own flush
        var full = Path.GetFullPath(directory);
        var fd = Native.open(full, Native.OpenFlags);
        if (fd < 0)
            throw new IOException($"Cannot open directory {full} to fsync it ({Errno(Marshal.GetLastPInvokeError())}).");
        try
        {
            if (Native.fsync(fd) != 0)
                throw new IOException($"fsync of directory {full} failed ({Errno(Marshal.GetLastPInvokeError())}); the last rename or create in it may not survive a power cut.");
        }
        finally
        {
            _ = Native.close(fd);
        }
        if (Events.IsEnabled(SyncedEvent)) Events.Write(SyncedEvent, full);
    }

    private static string Errno(int errno) => errno switch
    {
        2 => "errno 2, ENOENT: it does not exist",
        5 => "errno 5, EIO: input/output error",
        13 => "errno 13, EACCES: permission denied",
        20 => "errno 20, ENOTDIR: not a directory",
        _ => $"errno {errno}",
    };

    private static partial class Native
    {
        private const int ORdOnly = 0;
        private const int OCloExec = 0x80000; // 02000000: the same on x86, x86-64, ARM and arm64

        // O_DIRECTORY is 0200000 in asm-generic (x86, x86-64) but 040000 on ARM, arm64 (the Pi) and PowerPC.
        private static int ODirectory => RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.Arm or Architecture.Arm64 or Architecture.Armv6 or Architecture.Ppc64le => 0x4000,
            _ => 0x10000,
        };

        public static int OpenFlags => ORdOnly | ODirectory | OCloExec;

        [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int open(string path, int flags);

        [LibraryImport("libc", SetLastError = true)]
        public static partial int fsync(int fd);

        [LibraryImport("libc")]
        public static partial int close(int fd);
    }
}
