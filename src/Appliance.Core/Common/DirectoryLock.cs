using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Appliance.Common;

/// <summary>
/// An exclusive lock on a directory, on a lock file in it, held until disposed. The kernel releases it
/// when the process dies however it dies (kill -9 included), and it holds across processes, so a second
/// server on the same data dir is refused before it writes anything. The lock file holds the owner's pid,
/// for the message. On Windows it is a no-op.
/// <para>
/// The lock is an open-file-description lock (<c>fcntl(F_OFD_SETLK)</c>, Linux ≥ 3.15): like flock(2) it
/// belongs to the open file, not the process, so it conflicts within one process too and goes away with
/// the last descriptor. Not flock(2) itself, because .NET takes flock(2) locks on the files it opens
/// (LOCK_SH to read): any .NET code reading the lock file (a test scanning the data dir, a backup tool)
/// would then fail with "being used by another process". The two kinds of lock do not interact on Linux.
/// </para>
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
        if (!Native.TryLockWhole(fd, out var errno))
        {
            var held = errno is Native.EAgain or Native.EAccess;
            var holder = held ? ReadPid(fd) : null;
            _ = Native.close(fd);
            if (held) throw new InvalidOperationException(busy(holder));
            throw new IOException($"Cannot lock {path} (errno {errno}{(errno == Native.EInval ? ", EINVAL: the kernel is older than 3.15" : "")}).");
        }
        var owned = new DirectoryLock(fd, path);
        owned.WritePid();
        return owned;
    }

    private void WritePid()
    {
        var pid = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        // Informational only (the lock is the fcntl lock, not the content): a failure here does not matter.
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
        if (fd >= 0) _ = Native.close(fd); // closing the last descriptor releases the lock
    }

    private static partial class Native
    {
        public const int ORdWr = 2;
        public const int OCreat = 0x40;     // 0100 on x86-64, arm and arm64 alike
        public const int OCloExec = 0x80000;
        public const int EAgain = 11;
        public const int EAccess = 13;
        public const int EInval = 22;
        private const int FOfdSetLk = 37;    // the same on every Linux architecture
        private const short FWrLck = 1;

        /// <summary>struct flock as F_OFD_SETLK takes it: the 64-bit layout (flock64 on 32-bit ARM has the same offsets).</summary>
        [StructLayout(LayoutKind.Explicit, Size = 32)]
        private struct FLock
        {
            [FieldOffset(0)] public short Type;
            [FieldOffset(2)] public short Whence;
            [FieldOffset(8)] public long Start;
            [FieldOffset(16)] public long Length;   // 0: to the end of the file, however long
            [FieldOffset(24)] public int Pid;       // must be 0 for an OFD lock
        }

        /// <summary>A write lock on the whole file, without waiting.</summary>
        public static bool TryLockWhole(int fd, out int errno)
        {
            var request = new FLock { Type = FWrLck };
            var result = IntPtr.Size == 8 ? fcntl(fd, FOfdSetLk, ref request) : fcntl64(fd, FOfdSetLk, ref request);
            errno = result == 0 ? 0 : Marshal.GetLastPInvokeError();
            return result == 0;
        }

        [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int open(string path, int flags, int mode);

        [LibraryImport("libc", SetLastError = true)]
        private static partial int fcntl(int fd, int command, ref FLock lk);

        [LibraryImport("libc", SetLastError = true)]
        private static partial int fcntl64(int fd, int command, ref FLock lk);

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
