using Appliance.Audit;
using Appliance.Cli;
using Appliance.Tests.Support;

namespace Appliance.Tests.Cli;

/// <summary>
/// A second server on a data dir that is being served is refused before it writes anything, by the real
/// executables: it used to append start, stop and checkpoint records to the running server's log first,
/// which broke the chain ("out of order") while bots saw nothing wrong.
/// </summary>
public sealed class DataDirLockProcessTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_second_serve_or_demo_on_a_served_data_dir_is_refused_and_writes_nothing()
    {
        using var dir = new TempDir("appliance-dirlock");
        var data = dir.Sub("data");
        using var first = await ApplianceProcess.StartDemoAsync(data, "lock-secret-0123456789", TimeSpan.FromSeconds(60));
        var audit = Path.Combine(data, "audit");
        var before = AuditReader.ReadAll(audit).Count(r => r.Entry.Kind == AuditKind.Start);

        var serve = await ApplianceProcess.RunAsync(["serve", "--data-dir", data, "--listen", "127.0.0.1:0", "--panel", "none"]);
        output.WriteLine(serve.Output);
        Assert.Equal(1, serve.ExitCode);
        Assert.Contains($"Another appliance server (pid {first.ProcessId}) is running on {data}; stop it first", serve.Output);

        var demo = await ApplianceProcess.RunAsync(["demo", "--data-dir", data, "--listen", "127.0.0.1:0"]);
        Assert.Equal(1, demo.ExitCode);
        Assert.Contains("Another appliance server", demo.Output);

        // Neither left a record in the running server's log, and it still verifies.
        Assert.Equal(before, AuditReader.ReadAll(audit).Count(r => r.Entry.Kind == AuditKind.Start));
        Assert.Equal(0, await first.TerminateAsync(TimeSpan.FromSeconds(30)));
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(0, await new CliApp(new CliIo(TextReader.Null, stdout, stderr, false), TimeProvider.System)
            .RunAsync(["audit", "verify", "--data-dir", data]));

        // The lock goes with its process, however it ends: after a SIGKILL the next server starts.
        using (var killed = await ApplianceProcess.StartDemoAsync(data, "lock-secret-0123456789", TimeSpan.FromSeconds(60)))
            await killed.KillAsync();
        using var next = await ApplianceProcess.StartDemoAsync(data, "lock-secret-0123456789", TimeSpan.FromSeconds(60));
        Assert.False(next.HasExited);
    }
}
