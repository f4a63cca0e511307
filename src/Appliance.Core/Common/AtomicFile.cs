using System.Text;

namespace Appliance.Common;

/// <summary>
/// Writes files the way the data dir requires: a temp file beside the target, fsync, rename,
/// then fsync of the directory (<see cref="DirectorySync"/>), so a crash or a power cut leaves either the
/// old file or the new one, and a write that returned is on disk. New files are created with mode 0600
/// on Unix. A failed fsync (file or directory) is an IOException: the caller must not believe it is durable.
/// </summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string contents) =>
        WriteAllBytes(path, Encoding.UTF8.GetBytes(contents));

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> contents)
    {
        var (full, dir, temp) = Temp(path);
        try
        {
            using (var stream = Create(temp))
            {
                stream.Write(contents);
                stream.Flush(flushToDisk: true);
            }
            Commit(temp, full, dir);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// Like <see cref="WriteAllBytes"/> for contents written as a stream: a large file (an audit segment's .gz)
    /// is never one buffer in memory. <paramref name="write"/> must not dispose the stream.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        var (full, dir, temp) = Temp(path);
        try
        {
            using (var stream = Create(temp))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            Commit(temp, full, dir);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static (string Full, string Dir, string Temp) Temp(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no directory.", nameof(path));
        Directory.CreateDirectory(dir);
        return (full, dir, Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp"));
    }

    private static FileStream Create(string temp)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
        };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return new FileStream(temp, options);
    }

    private static void Commit(string temp, string full, string dir)
    {
        File.Move(temp, full, overwrite: true);
        DirectorySync.Fsync(dir);
    }

    /// <summary>Creates a directory readable only by its owner (0700 on Unix).</summary>
    public static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
            Directory.CreateDirectory(path);
        else
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>Makes a rename, create or delete in <paramref name="dir"/> durable; throws IOException when it cannot.</summary>
    public static void FsyncDirectory(string dir) => DirectorySync.Fsync(dir);

    /// <summary>Deletes <paramref name="path"/> (if present) and makes the deletion durable.</summary>
    public static void Delete(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) return;
        File.Delete(full);
        DirectorySync.Fsync(Path.GetDirectoryName(full)!);
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
