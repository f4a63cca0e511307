using System.Diagnostics;
using System.Text;
using Appliance.Common;
using Appliance.Tests.Support;

namespace Appliance.Tests.Common;

/// <summary>
/// Atomic writes are durable: the directory holding a renamed file is really fsync'd (through libc, as
/// a directory), after the rename, and a failure of that step reaches the caller.
/// </summary>
public sealed class DirectorySyncTests : IDisposable
{
    private readonly TempDir _dir = new("appliance-dirsync");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void An_atomic_write_fsyncs_its_directory_after_the_rename()
    {
        var target = _dir.Sub("state.json");
        File.WriteAllText(target, "old");
        using var probe = new SyncProbe(_dir.Path, () => File.ReadAllText(target));

        AtomicFile.WriteAllText(target, "new");

        // One fsync of this directory, and when it ran the new content was already in place under the real name.
        var synced = Assert.Single(probe.Events);
        Assert.Equal("new", synced);
        Assert.Equal("new", File.ReadAllText(target));
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.tmp", new EnumerationOptions { AttributesToSkip = 0 }));
    }

    [Fact]
    public void A_streamed_atomic_write_fsyncs_its_directory_and_a_failing_writer_leaves_the_old_file()
    {
        var target = _dir.Sub("segment.gz");
        File.WriteAllText(target, "old");
        using (var probe = new SyncProbe(_dir.Path, () => File.ReadAllText(target)))
        {
            AtomicFile.Write(target, stream => { for (var i = 0; i < 3; i++) stream.Write("new"u8); });
            Assert.Equal("newnewnew", Assert.Single(probe.Events));
        }

        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(target, stream =>
        {
            stream.Write("partial"u8);
            throw new InvalidOperationException("the writer failed half way");
        }));
        Assert.Equal("newnewnew", File.ReadAllText(target));
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.tmp", new EnumerationOptions { AttributesToSkip = 0 }));
    }

    [Fact]
    public void Deleting_through_AtomicFile_fsyncs_the_directory()
    {
        var target = _dir.Sub("gone.json");
        File.WriteAllText(target, "x");
        using var probe = new SyncProbe(_dir.Path, () => File.Exists(target) ? "present" : "deleted");

        AtomicFile.Delete(target);

        Assert.Equal("deleted", Assert.Single(probe.Events));
    }

    [Fact]
    public void A_failure_after_the_directory_step_is_not_swallowed()
    {
        // The probe throws where a failed fsync would: inside DirectorySync.Fsync, after the rename.
        var target = _dir.Sub("state.json");
        using var probe = new SyncProbe(_dir.Path, () => throw new IOException("injected: fsync of the directory failed"));

        var e = Assert.Throws<IOException>(() => AtomicFile.WriteAllBytes(target, Encoding.ASCII.GetBytes("x")));
        Assert.Contains("injected", e.Message);
    }

    [Fact]
    public void The_real_fsync_opens_a_directory_and_refuses_anything_else()
    {
        DirectorySync.Fsync(_dir.Path); // a directory: open(O_DIRECTORY) + fsync succeed

        // O_DIRECTORY is honoured (its value differs between x86-64 and the Pi's arm64): a file is ENOTDIR.
        var file = _dir.Sub("plain");
        File.WriteAllText(file, "x");
        var notDir = Assert.Throws<IOException>(() => DirectorySync.Fsync(file));
        Assert.Contains("ENOTDIR", notDir.Message);

        var missing = Assert.Throws<IOException>(() => DirectorySync.Fsync(_dir.Sub("missing")));
        Assert.Contains("ENOENT", missing.Message);
    }

    [Fact]
    public void There_is_one_directory_fsync_in_the_code()
    {
        var src = RepoSource();
        var withFsync = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Where(f => File.ReadAllText(f) is var text && (text.Contains("int fsync(") || text.Contains("FlushToDisk(")))
            .Select(f => Path.GetRelativePath(src, f))
            .ToList();
        Assert.Equal([Path.Combine("Appliance.Core", "Common", "DirectorySync.cs")], withFsync);
    }

    private static string RepoSource()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Appliance.sln"))) return Path.Combine(dir.FullName, "src");
        throw new DirectoryNotFoundException("Appliance.sln not found above the test assembly.");
    }

    /// <summary>Subscribes to DirectorySync's events for one directory and records <paramref name="observe"/> at each.</summary>
    private sealed class SyncProbe : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private readonly string _directory;
        private readonly Func<string> _observe;
        private readonly List<IDisposable> _subscriptions = [];
        private readonly IDisposable _all;

        public SyncProbe(string directory, Func<string> observe)
        {
            (_directory, _observe) = (Path.GetFullPath(directory), observe);
            _all = DiagnosticListener.AllListeners.Subscribe(this);
        }

        public List<string> Events { get; } = [];

        public void OnNext(DiagnosticListener listener)
        {
            if (listener.Name == DirectorySync.ListenerName)
                lock (_subscriptions) _subscriptions.Add(listener.Subscribe(this));
        }

        public void OnNext(KeyValuePair<string, object?> e)
        {
            // Other tests fsync their own directories in parallel: only this one counts.
            if (e.Key == DirectorySync.SyncedEvent && e.Value is string path && path == _directory)
                lock (Events) Events.Add(_observe());
        }

        public void OnCompleted() { }
        public void OnError(Exception error) { }

        public void Dispose()
        {
            _all.Dispose();
            lock (_subscriptions) foreach (var s in _subscriptions) s.Dispose();
        }
    }
}
