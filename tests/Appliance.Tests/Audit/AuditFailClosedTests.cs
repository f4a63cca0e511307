using Appliance.Devices.Tokens;
using System.Diagnostics;
using Appliance.Audit;
using Appliance.Common;
using Appliance.Tests.Provisioning;

namespace Appliance.Tests.Audit;

/// <summary>When the log cannot be written nothing is acknowledged, the log says so, and it recovers by itself.</summary>
public sealed class AuditFailClosedTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly FaultyAuditDisk _disk = new();
    private AuditTestLog _t = null!;

    public ValueTask InitializeAsync()
    {
        _t = new AuditTestLog(new FileAuditLogOptions { Disk = _disk, CheckpointInterval = TimeSpan.FromHours(1) });
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _t.DisposeAsync();

    [Theory]
    [InlineData(DiskFault.FullBeforeWrite)]
    [InlineData(DiskFault.FullAfterHalfWrite)]
    [InlineData(DiskFault.SyncFails)]
    [InlineData(DiskFault.DeviceGone)]
    public async Task A_failed_write_refuses_with_AUDIT_UNAVAILABLE_and_the_next_good_write_resumes(DiskFault fault)
    {
        var log = _t.Open();
        var changes = new List<bool>();
        log.AvailabilityChanged += changes.Add;
        await log.RecordAsync(AuditTestLog.Decision(1), CancellationToken.None);
        var head = log.Head;

        _disk.Fault = fault;
        var refusal = await Assert.ThrowsAsync<SignRefusal>(() => log.RecordAsync(AuditTestLog.Decision(2), CancellationToken.None).AsTask());
        Assert.Equal(RefusalKind.Unavailable, refusal.Kind);
        Assert.Equal(Reasons.AuditUnavailable, refusal.Reason);
        Assert.Equal(Refusals.AuditUnavailable().Message, refusal.Message); // never the I/O error or a path
        Assert.False(log.IsAvailable);
        Assert.Equal(head, log.Head);
        // Still failing: still refused (each record retries the disk).
        await Assert.ThrowsAsync<SignRefusal>(() => log.RecordAsync(AuditTestLog.Decision(3), CancellationToken.None).AsTask());
        Assert.True(_disk.FailedWrites >= 2);

        _disk.Fault = DiskFault.None;
        await log.RecordAsync(AuditTestLog.Decision(4), CancellationToken.None);
        Assert.True(log.IsAvailable);
        Assert.Equal([false, true], changes);
        Assert.Equal(head.Seq + 1, log.Head.Seq);
        await _t.CloseAsync();

        var result = _t.Verify();
        Assert.True(result.Ok, result.Problem?.ToString());
        Assert.DoesNotContain(_t.Records(), r => r.Entry.AuditId is "id0002" or "id0003");
        Assert.Contains(_t.Records(), r => r.Entry.AuditId == "id0004");
    }

    [Fact]
    public void A_log_that_cannot_be_written_at_start_refuses_to_open()
    {
        _disk.Fault = DiskFault.FullBeforeWrite;
        Assert.Throws<IOException>(() => _t.Open());
    }

    [Fact]
    public async Task A_real_full_filesystem_fails_closed_and_recovers_when_space_is_freed()
    {
        var mount = Path.Combine(Path.GetTempPath(), $"appliance-audit-tmpfs-{Guid.NewGuid():N}");
        Directory.CreateDirectory(mount);
        try
        {
            var (mounted, why) = TryMountTmpfs(mount);
            // Without mount rights this cannot run; say so in the summary (the IAuditDisk seam tests cover the logic).
            if (!mounted) Assert.Skip($"needs 'mount -t tmpfs' (root): {why}");
            output.WriteLine($"tmpfs of 64 KiB mounted at {mount}");
            await FillAndRecover(mount);
        }
        finally
        {
            Run("umount", mount);
            try { Directory.Delete(mount, recursive: true); } catch (IOException) { }
        }
    }

    private async Task FillAndRecover(string mount)
    {
        var dir = Path.Combine(mount, "audit");
        using var token = Appliance.Devices.Tokens.SoftwareToken.Create();
        var log = FileAuditLog.Open(dir, new TokenCheckpointSigner(token), new FileAuditLogOptions { CheckpointInterval = TimeSpan.FromHours(1) });
        var filler = Path.Combine(mount, "filler");
        await using (var f = new FileStream(filler, FileMode.Create))
        {
            try { while (true) { f.Write(new byte[4096]); f.Flush(true); } }
            catch (IOException) { }
        }
        // The disk is full: within a few records the log must refuse.
        SignRefusal? refusal = null;
        var written = 0;
        for (var i = 0; i < 200 && refusal is null; i++)
        {
            try { await log.RecordAsync(AuditTestLog.Decision(i), CancellationToken.None); written++; }
            catch (SignRefusal e) { refusal = e; }
        }
        Assert.NotNull(refusal);
        Assert.Equal(Reasons.AuditUnavailable, refusal.Reason);
        Assert.False(log.IsAvailable);
        output.WriteLine($"refused after {written} records: {refusal.Message}");
        Assert.DoesNotContain(mount, refusal.Message);

        File.Delete(filler);
        await log.RecordAsync(AuditTestLog.Decision(999), CancellationToken.None);
        Assert.True(log.IsAvailable);
        await log.DisposeAsync();
        var result = AuditVerifier.Verify(dir, token.GetPublicKey(Appliance.Token.KeySlot.Audit));
        Assert.True(result.Ok, result.Problem?.ToString());
        Assert.Contains(AuditReader.ReadAll(dir), r => r.Entry.AuditId == "id0999");
    }

    private static (bool Ok, string Why) TryMountTmpfs(string path)
    {
        if (!OperatingSystem.IsLinux()) return (false, "not Linux");
        var (code, text) = Run("mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", path);
        return (code == 0, code == 0 ? "" : $"exit {code}: {text.Trim()}");
    }

    private static (int Code, string Output) Run(string file, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in args) start.ArgumentList.Add(a);
            using var p = Process.Start(start)!;
            var text = p.StandardError.ReadToEnd() + p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, text);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}
