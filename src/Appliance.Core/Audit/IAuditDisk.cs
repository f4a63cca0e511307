namespace Appliance.Audit;

/// <summary>
/// The file-write boundary of the audit log: open for append, write, fsync. Production uses
/// <see cref="FileAuditDisk"/>; tests inject failures here (a full disk, an I/O error) to prove the
/// log fails closed and recovers.
/// </summary>
public interface IAuditDisk
{
    /// <summary>Opens (creating with mode 0600 if missing) a segment for appending at its end.</summary>
    IAuditAppender OpenAppend(string path);

    /// <summary>Makes a new file's directory entry durable.</summary>
    void SyncDirectory(string directory);
}

/// <summary>One open segment. Every member may throw IOException (disk full, I/O error).</summary>
public interface IAuditAppender : IDisposable
{
    long Length { get; }

    /// <summary>Cuts the file to <paramref name="length"/> bytes (drops a partial write) and appends after it.</summary>
    void Truncate(long length);

    void Append(ReadOnlySpan<byte> bytes);

    /// <summary>fsync: returns when everything appended is on disk.</summary>
    void Sync();
}

/// <summary>The real disk: unbuffered FileStream writes, fsync through FileStream.Flush(true).</summary>
public sealed class FileAuditDisk : IAuditDisk
{
    public static readonly FileAuditDisk Instance = new();

    public IAuditAppender OpenAppend(string path)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.Write,
            Share = FileShare.Read,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return new Appender(new FileStream(path, options));
    }

    public void SyncDirectory(string directory) => Common.DirectorySync.Fsync(directory);

    private sealed class Appender(FileStream stream) : IAuditAppender
    {
        public long Length => stream.Length;

        public void Truncate(long length)
        {
            stream.SetLength(length);
            stream.Seek(0, SeekOrigin.End);
        }

        public void Append(ReadOnlySpan<byte> bytes)
        {
            stream.Seek(0, SeekOrigin.End);
            stream.Write(bytes);
        }

        public void Sync() => stream.Flush(flushToDisk: true);

        public void Dispose() => stream.Dispose();
    }
}
