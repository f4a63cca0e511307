using Appliance.Common;
using Appliance.Tests.Support;

namespace Appliance.Tests.Common;

/// <summary>The flock that keeps a second server off a data dir (across processes: see DataDirLockProcessTests).</summary>
public sealed class DirectoryLockTests : IDisposable
{
    private readonly TempDir _dir = new("appliance-lock");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_second_holder_is_refused_with_the_first_ones_pid_until_it_lets_go()
    {
        // flock belongs to an open file description, so two opens in one process conflict just as two processes do.
        var first = DirectoryLock.Acquire(_dir.Path, "test.lock", _ => "unused");
        var e = Assert.Throws<InvalidOperationException>(() => DirectoryLock.Acquire(_dir.Path, "test.lock", pid => $"held by {pid}"));
        Assert.Equal($"held by {Environment.ProcessId}", e.Message);

        first.Dispose();
        using var second = DirectoryLock.Acquire(_dir.Path, "test.lock", _ => "unused");
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(second.Path));
    }

    [Fact]
    public void A_directory_that_does_not_exist_is_an_IOException()
    {
        var e = Assert.Throws<IOException>(() => DirectoryLock.Acquire(_dir.Sub("missing"), "x.lock", _ => "unused"));
        Assert.Contains("lock file", e.Message);
    }
}
