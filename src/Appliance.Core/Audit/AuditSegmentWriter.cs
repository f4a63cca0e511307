namespace Appliance.Audit;

/// <summary>
/// Appends batches to the current segment and rotates by size. Knows the length that is durable;
/// after a failed write it reopens the file and cuts off whatever part of the batch reached it,
/// so a retried batch never leaves half a line in the middle of the chain.
/// <para>
/// Rotation is kept off the request path: once the current segment is half full, a background task
/// creates the next segment and fsyncs the directory (the slow part on an SD card: tens of ms), so the
/// batch that crosses the limit only switches files; the old one is closed in the background too. If
/// the prepared segment is not ready (or could not be made), the batch creates it itself, as before.
/// A prepared segment is empty until the chain reaches it; recovery and verify accept an empty last segment.
/// </para>
/// </summary>
internal sealed class AuditSegmentWriter(string directory, IAuditDisk disk, long maxSegmentBytes, int index, long durableLength,
    bool prepareNext = true) : IDisposable
{
    private IAuditAppender? _file;
    private Task<IAuditAppender?>? _next;

    public int Index { get; private set; } = index;

    public long DurableLength { get; private set; } = durableLength;

    /// <summary>Raised on the writer's thread after it moved to a new segment (retention compresses the closed ones).</summary>
    public event Action<int>? Rotated;

    /// <summary>Writes and fsyncs the batch; on return it is on disk. Throws on any failure, durable state unchanged.</summary>
    public void Append(ReadOnlySpan<byte> batch)
    {
        try
        {
            if (DurableLength > 0 && DurableLength + batch.Length > maxSegmentBytes) Rotate();
            var file = Open();
            file.Append(batch);
            file.Sync();
            DurableLength += batch.Length;
        }
        catch
        {
            Close();
            throw;
        }
        if (prepareNext && _next is null && DurableLength >= maxSegmentBytes / 2)
        {
            var next = Index + 1;
            _next = Task.Run(() => Prepare(next));
        }
    }

    /// <summary>Creates segment <paramref name="next"/> (0600) and makes its directory entry durable; null if that failed.</summary>
    private IAuditAppender? Prepare(int next)
    {
        IAuditAppender? file = null;
        try
        {
            file = disk.OpenAppend(AuditSegments.PathOf(directory, next));
            if (file.Length != 0) file.Truncate(0); // never: the chain has not reached it; be sure anyway
            disk.SyncDirectory(directory);
            return file;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The batch that rotates will create it itself and report the failure to its callers.
            file?.Dispose();
            return null;
        }
    }

    private IAuditAppender Open()
    {
        if (_file is not null) return _file;
        var path = AuditSegments.PathOf(directory, Index);
        var created = !File.Exists(path);
        var file = disk.OpenAppend(path);
        try
        {
            if (created) disk.SyncDirectory(directory);
            if (file.Length != DurableLength) file.Truncate(DurableLength);
        }
        catch
        {
            file.Dispose();
            throw;
        }
        return _file = file;
    }

    private void Rotate()
    {
        var old = _file;
        _file = null;
        // The prepared segment is used if it is ready by now (or is being made: waiting is never longer than making it here).
        var prepared = TakePrepared();
        Index++;
        DurableLength = 0;
        _file = prepared;
        if (old is not null) _ = Task.Run(() => DisposeQuietly(old)); // closing after fsync is cheap, but not on the request path
        try { Rotated?.Invoke(Index); }
        catch (Exception e) when (e is not OutOfMemoryException) { } // a listener's failure is not the batch's

    }

    private IAuditAppender? TakePrepared()
    {
        var next = _next;
        _next = null;
        if (next is null) return null;
        try { return next.GetAwaiter().GetResult(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    private static void DisposeQuietly(IAuditAppender file)
    {
        try { file.Dispose(); }
        catch (IOException) { }
    }

    private void Close()
    {
        var file = _file;
        _file = null;
        if (file is not null) DisposeQuietly(file);
    }

    public void Dispose()
    {
        Close();
        if (TakePrepared() is { } prepared) DisposeQuietly(prepared);
    }
}
