using Appliance.Audit;

namespace Appliance.Tests.Audit;

/// <summary>
/// A disk that loses what was not fsync'd when the power goes, which kill -9 does not: its writes stay
/// in the page cache. Writes reach the real files (the page cache: readers in this process see them), and
/// the disk remembers for each file the length its last fsync made durable and whether its directory entry
/// was fsync'd. <see cref="Cut"/> turns the power off (every later call fails with EIO, as a dead disk's
/// would); <see cref="Apply"/> then leaves what a power cut leaves: each file back at its durable length plus
/// a random part of what followed (a torn write), and files whose directory entry was never made durable gone.
/// </summary>
public sealed class PowerCutDisk(Random random) : IAuditDisk
{
    private sealed class FileState
    {
        public long Durable;
        public bool EntryDurable;
    }

    private readonly Lock _lock = new();
    private readonly Dictionary<string, FileState> _files = [];
    private bool _off;

    public IAuditAppender OpenAppend(string path)
    {
        lock (_lock)
        {
            ThrowIfOff();
            var full = Path.GetFullPath(path);
            var existed = File.Exists(full);
            var inner = FileAuditDisk.Instance.OpenAppend(full);
            if (!_files.ContainsKey(full))
                _files[full] = new FileState { Durable = existed ? inner.Length : 0, EntryDurable = existed };
            return new Appender(this, _files[full], inner);
        }
    }

    public void SyncDirectory(string directory)
    {
        lock (_lock)
        {
            ThrowIfOff();
            FileAuditDisk.Instance.SyncDirectory(directory);
            var dir = Path.GetFullPath(directory);
            foreach (var (path, state) in _files)
                if (Path.GetDirectoryName(path) == dir) state.EntryDurable = true;
        }
    }

    /// <summary>The power goes off now: nothing more reaches the disk.</summary>
    public void Cut()
    {
        lock (_lock) _off = true;
    }

    /// <summary>After the process is gone: what the disk holds when the power comes back. Returns what it dropped, for the log.</summary>
    public string Apply()
    {
        lock (_lock)
        {
            var notes = new List<string>();
            foreach (var (path, state) in _files)
            {
                if (!File.Exists(path)) continue;
                if (!state.EntryDurable)
                {
                    File.Delete(path);
                    notes.Add($"{Path.GetFileName(path)} gone (entry never fsync'd)");
                    continue;
                }
                var length = new FileInfo(path).Length;
                if (length <= state.Durable) continue;
                var keep = state.Durable + random.NextInt64(0, length - state.Durable + 1);
                using (var f = new FileStream(path, FileMode.Open, FileAccess.Write)) f.SetLength(keep);
                notes.Add($"{Path.GetFileName(path)}: {length - keep} of {length - state.Durable} unsynced bytes lost");
            }
            _files.Clear();
            _off = false;
            return notes.Count == 0 ? "nothing unsynced" : string.Join("; ", notes);
        }
    }

    private void ThrowIfOff()
    {
        if (_off) throw new IOException("Input/output error (the power is off)");
    }

    private sealed class Appender(PowerCutDisk disk, FileState state, IAuditAppender inner) : IAuditAppender
    {
        public long Length => inner.Length;

        public void Truncate(long length)
        {
            lock (disk._lock)
            {
                disk.ThrowIfOff();
                inner.Truncate(length);
                state.Durable = Math.Min(state.Durable, length);
            }
        }

        public void Append(ReadOnlySpan<byte> bytes)
        {
            lock (disk._lock)
            {
                disk.ThrowIfOff();
                inner.Append(bytes);
            }
        }

        public void Sync()
        {
            lock (disk._lock)
            {
                disk.ThrowIfOff();
                inner.Sync();
                state.Durable = inner.Length;
            }
        }

        public void Dispose() => inner.Dispose();
    }
}
