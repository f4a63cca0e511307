using System.Collections.Concurrent;
using System.Text;
using Appliance.Audit;

namespace Appliance.Tests.Audit;

/// <summary>
/// Rotation off the request path: the next segment is created and its directory entry fsync'd in the
/// background while the current one fills, so the batch that crosses the size limit does neither.
/// </summary>
public sealed class AuditRotationTests
{
    /// <summary>The real disk, noting which thread creates files and fsyncs the directory.</summary>
    private sealed class WatchedDisk : IAuditDisk
    {
        public readonly ConcurrentQueue<(string What, string Path, string? Thread)> Calls = new();

        public IAuditAppender OpenAppend(string path)
        {
            Calls.Enqueue(("open", Path.GetFileName(path), Thread.CurrentThread.Name));
            return FileAuditDisk.Instance.OpenAppend(path);
        }

        public void SyncDirectory(string directory)
        {
            Calls.Enqueue(("syncdir", "", Thread.CurrentThread.Name));
            FileAuditDisk.Instance.SyncDirectory(directory);
        }
    }

    [Fact]
    public async Task The_writer_thread_never_creates_a_segment_or_fsyncs_the_directory_after_the_first()
    {
        var disk = new WatchedDisk();
        await using var t = new AuditTestLog(new FileAuditLogOptions { MaxSegmentBytes = 8192, Disk = disk, CheckpointInterval = TimeSpan.FromHours(1) });
        var log = t.Open();
        for (var i = 1; i <= 80; i++)
        {
            await log.RecordAsync(AuditTestLog.Decision(i), CancellationToken.None);
            // Once the segment is half full the next one is being prepared; a loaded CI box may take a while to
            // run that task, and this test is about who does the work, not how fast: wait for it (segment 1's
            // directory fsync was the opening thread's, then one per prepared segment).
            if (new FileInfo(t.Segment(log.CurrentSegment)).Length >= 4096)
                await AuditChainTests.WaitUntil(() => disk.Calls.Count(c => c.What == "syncdir") >= log.CurrentSegment + 1, 30_000);
        }
        Assert.True(log.CurrentSegment >= 5, $"only {log.CurrentSegment} segments: the test did not rotate enough");
        await t.CloseAsync();

        // Segment 1 is made by the opening thread; every later one by the background, none by the writer.
        var onWriter = disk.Calls.Where(c => c.Thread == "audit-writer").ToList();
        Assert.True(onWriter.Count == 0, string.Join(", ", onWriter));
        var result = t.Verify();
        Assert.True(result.Ok, result.Problem?.ToString());
        Assert.Equal(80, t.Records().Count(r => r.Entry.Kind == AuditKind.Decision));
    }

    [Fact]
    public async Task A_torn_line_in_the_segment_before_a_prepared_empty_one_is_cut_and_the_chain_continues_there()
    {
        await using var t = new AuditTestLog();
        await t.WriteAsync(3);
        var intact = new FileInfo(t.Segment(1)).Length;
        await using (var f = new FileStream(t.Segment(1), FileMode.Append)) f.Write(Encoding.ASCII.GetBytes("{\"seq\":99,\"ti"));
        File.WriteAllBytes(t.Segment(2), []); // prepared, never reached

        var log = t.Open();
        Assert.Equal(1, log.CurrentSegment);
        await t.CloseAsync();

        var records = t.Records();
        Assert.Contains(records, r => r.Entry.Kind == AuditKind.Truncation && r.Entry.Detail!.Contains($"at offset {intact} of {AuditSegments.FileName(1)}"));
        Assert.Equal(0, new FileInfo(t.Segment(2)).Length);
        var result = t.Verify();
        Assert.True(result.Ok, result.Problem?.ToString());
    }

    [Fact]
    public async Task A_failed_preparation_falls_back_to_creating_the_segment_in_the_batch()
    {
        await using var t = new AuditTestLog(new FileAuditLogOptions { MaxSegmentBytes = 4096, CheckpointInterval = TimeSpan.FromHours(1) });
        var log = t.Open();
        // Block the next segment's name with a directory: preparing it fails, and so does the batch that needs it.
        Directory.CreateDirectory(t.Segment(2));
        var failed = 0;
        for (var i = 1; i <= 20 && failed == 0; i++)
        {
            try { await log.RecordAsync(AuditTestLog.Decision(i), CancellationToken.None); }
            catch (Appliance.Common.SignRefusal e) when (e.Reason == Appliance.Common.Reasons.AuditUnavailable) { failed = i; }
        }
        Assert.True(failed > 0, "the blocked rotation never failed a batch");
        Assert.False(log.IsAvailable);
        Directory.Delete(t.Segment(2));
        await log.RecordAsync(AuditTestLog.Decision(99), CancellationToken.None); // made in the batch now, and signing resumes
        Assert.True(log.IsAvailable);
        await t.CloseAsync();
        Assert.True(t.Verify().Ok);
        Assert.Contains(t.Records(), r => r.Entry.AuditId == "id0099");
    }
}
