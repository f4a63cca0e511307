using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Appliance.Common;

/// <summary>
/// An exclusive lock on a directory: <c>flock(LOCK_EX|LOCK_NB)</c> on a lock file in it, held until
/// disposed. The kernel releases it when the process dies however it dies (kill -9 included), and it
/// holds across processes, so a second server on the same data dir is refused before it writes
/// anything. The lock file holds the owner's pid, for the message. Linux (and other Unix) only; on
/// Windows it is a no-op.
/// </summary>
public sealed partial class DirectoryLock : IDisposable
{
    private int _fd;

    private DirectoryLock(int fd, string path) => (_fd, Path) = (fd, path);

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>
    /// Locks <paramref name="directory"/> through its file <paramref name="fileName"/>. Throws
    /// <see cref="InvalidOperationException"/> built by <paramref name="busy"/> (given the holder's pid,
    /// or null if unknown) when another process holds it, IOException when the file cannot be opened.
    /// </summary>
    public static DirectoryLock Acquire(string directory, string fileName, Func<int?, string> busy)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        var path = System.IO.Path.Combine(System.IO.Path.GetFullPath(directory), fileName);
        if (OperatingSystem.IsWindows()) return new DirectoryLock(-1, path);
        var fd = Native.open(path, Native.ORdWr | Native.OCreat | Native.OCloExec, 0x180 /* 0600 */);
        if (fd < 0) throw new IOException($"Cannot open the lock file {path} (errno {Marshal.GetLastPInvokeError()}); check that the directory exists and is writable.");
        if (Native.flock(fd, Native.LockEx | Native.LockNb) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            var holder = errno == Native.EWouldBlock ? ReadPid(fd) : null;
            _ = Native.close(fd);
            if (errno == Native.EWouldBlock) throw new InvalidOperationException(busy(holder));
            throw new IOException($"Cannot lock {path} (errno {errno}).");
        }
        var owned = new DirectoryLock(fd, path);
        owned.WritePid();
        return owned;
    }

    private void WritePid()
    {
        var pid = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        // Informational only (the lock is the flock, not the content): a failure here does not matter.
        if (Native.ftruncate(_fd, 0) == 0) _ = Native.pwrite(_fd, pid, pid.Length, 0);
    }

    private static int? ReadPid(int fd)
    {
        var buffer = new byte[32];
        var n = Native.pread(fd, buffer, buffer.Length, 0);
        return n > 0 && int.TryParse(Encoding.ASCII.GetString(buffer, 0, (int)n).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            ? pid
            : null;
    }

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0) _ = Native.close(fd); // closing the last descriptor releases the flock
    }

    private static partial class Native
    {
        public const int ORdWr = 2;
        public const int OCreat = 0x40;     // 0100 on x86-64, arm and arm64 alike
        public const int OCloExec = 0x80000;
        public const int LockEx = 2;
        public const int LockNb = 4;
        public const int EWouldBlock = 11;  // EAGAIN on Linux

        [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int open(string path, int flags, int mode);

        [LibraryImport("libc", SetLastError = true)]
        public static partial int flock(int fd, int operation);

        // The 64-bit offset entry points: off_t is 32 bits on 32-bit ARM.
        [LibraryImport("libc", EntryPoint = "ftruncate64", SetLastError = true)]
        public static partial int ftruncate(int fd, long length);

        [LibraryImport("libc", EntryPoint = "pwrite64", SetLastError = true)]
        public static partial nint pwrite(int fd, byte[] buffer, nint count, long offset);

        [LibraryImport("libc", EntryPoint = "pread64", SetLastError = true)]
        public static partial nint pread(int fd, byte[] buffer, nint count, long offset);

        [LibraryImport("libc")]
        public static partial int close(int fd);
    }
}
