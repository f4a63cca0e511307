using Appliance.Audit;

namespace Appliance.Tests.Audit;

/// <summary>How the disk misbehaves while <see cref="FaultyAuditDisk.Fault"/> is set.</summary>
public enum DiskFault { None, FullBeforeWrite, FullAfterHalfWrite, SyncFails, DeviceGone }

/// <summary>
/// The real disk with a switchable fault at the write boundary, shaped like the kernel's: ENOSPC
/// before any byte, ENOSPC after part of the batch reached the file (the partial line stays in the
/// file, as with a real short write), EIO from fsync, or the device is gone (EIO from every call, opening included).
/// </summary>
public sealed class FaultyAuditDisk : IAuditDisk
{
    private volatile DiskFault _fault;

    public DiskFault Fault { get => _fault; set => _fault = value; }

    public int FailedWrites;

    public IAuditAppender OpenAppend(string path)
    {
        if (_fault == DiskFault.DeviceGone) Fail("Input/output error");
        return new Appender(this, FileAuditDisk.Instance.OpenAppend(path));
    }

    public void SyncDirectory(string directory) => FileAuditDisk.Instance.SyncDirectory(directory);

    private void Fail(string what)
    {
        Interlocked.Increment(ref FailedWrites);
        throw new IOException(what);
    }

    private sealed class Appender(FaultyAuditDisk disk, IAuditAppender inner) : IAuditAppender
    {
        public long Length => inner.Length;

        public void Truncate(long length) => inner.Truncate(length);

        public void Append(ReadOnlySpan<byte> bytes)
        {
            switch (disk._fault)
            {
                case DiskFault.DeviceGone:
                    disk.Fail("Input/output error");
                    break;
                case DiskFault.FullBeforeWrite:
                    disk.Fail("No space left on device");
                    break;
                case DiskFault.FullAfterHalfWrite:
                    inner.Append(bytes[..(bytes.Length / 2)]);
                    inner.Sync();
                    disk.Fail("No space left on device");
                    break;
            }
            inner.Append(bytes);
        }

        public void Sync()
        {
            if (disk._fault is DiskFault.SyncFails or DiskFault.DeviceGone) disk.Fail("Input/output error");
            inner.Sync();
        }

        public void Dispose() => inner.Dispose();
    }
}
