namespace Appliance.Audit;

/// <summary>
/// Appends batches to the current segment and rotates by size. Knows the length that is durable;
/// after a failed write it reopens the file and cuts off whatever part of the batch reached it,
/// so a retried batch never leaves half a line in the middle of the chain.
/// </summary>
internal sealed class AuditSegmentWriter(string directory, IAuditDisk disk, long maxSegmentBytes, int index, long durableLength)
    : IDisposable
{
    private IAuditAppender? _file;

    public int Index { get; private set; } = index;

    public long DurableLength { get; private set; } = durableLength;

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
        Close();
        Index++;
        DurableLength = 0;
    }

    private void Close()
    {
        try { _file?.Dispose(); }
        catch (IOException) { }
        _file = null;
    }

    public void Dispose() => Close();
}
