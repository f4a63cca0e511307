using System.Text.Json.Nodes;
using Appliance.Audit;
using Appliance.Devices.Tokens;
using Appliance.Tests.Support;
using Appliance.Token;
using Appliance.Upbit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tests.Audit;

/// <summary>
/// Retention on a clock the test moves: closed segments are gzipped, old ones pruned only behind a
/// checkpoint and a signed anchor, copied out first if asked, and `verify` proves what is kept and
/// says where it starts; tampering with what is left is still found.
/// </summary>
public sealed class AuditRetentionTests : IAsyncLifetime
{
    private readonly AuditTestLog _t = new(new FileAuditLogOptions { MaxSegmentBytes = 4096, CheckpointInterval = TimeSpan.FromDays(30) });
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly TempDir _export = new("appliance-export");
    private FileAuditLog? _log;
    private AuditRetention? _retention;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await Close();
        await _t.DisposeAsync();
        _export.Dispose();
    }

    private FileAuditLog Open(AuditRetentionOptions? options = null)
    {
        _log = FileAuditLog.Open(_t.Directory, new TokenCheckpointSigner(_t.Token), _t.Options, _clock);
        _retention = new AuditRetention(_log, options ?? new AuditRetentionOptions(), _clock, NullLogger.Instance);
        return _log;
    }

    private async Task Close()
    {
        if (_retention is not null) await _retention.DisposeAsync();
        if (_log is not null) await _log.DisposeAsync();
        (_retention, _log) = (null, null);
    }

    private async Task Write(int count, int size = 100)
    {
        var value = new string('x', size);
        for (var i = 0; i < count; i++)
            await _log!.RecordAsync(AuditTestLog.Decision(i) with { Time = _clock.GetUtcNow(), Params = [new UpbitParam("market", "KRW-BTC"), new UpbitParam("note", value)] },
                CancellationToken.None);
    }

    private AuditVerification Verify()
    {
        var result = _t.Verify();
        Assert.True(result.Ok, result.Problem?.ToString());
        return result;
    }

    [Fact]
    public async Task Closed_segments_are_gzipped_and_everything_still_reads_verifies_and_reopens()
    {
        Open();
        await Write(60);
        var records = _t.Records().Count;
        var pass = await _retention!.RunOnceAsync(CancellationToken.None);

        Assert.True(pass.Compressed >= 2, $"{pass.Compressed} compressed");
        var segments = AuditSegments.List(_t.Directory);
        var current = _log!.CurrentSegment;
        Assert.All(segments.Where(s => s.Index < current - 1), s => Assert.True(AuditSegments.IsCompressed(s.Path), s.Path));
        Assert.All(segments.Where(s => s.Index >= current - 1), s => Assert.False(AuditSegments.IsCompressed(s.Path), s.Path));
        Assert.Equal(records, _t.Records().Count);
        Verify();

        await Close();
        Open();
        await Write(5);
        await Close();
        Assert.Equal(0, Verify().Warnings.Count(w => w.Contains("torn")));
    }

    [Fact]
    public async Task Old_segments_are_pruned_behind_a_signed_anchor_after_being_exported_and_verify_starts_there()
    {
        var options = new AuditRetentionOptions { MaxAgeDays = 2, ExportDir = _export.Path };
        Open(options);
        await Write(40);
        await _log!.CheckpointAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromDays(3));
        await Write(40);
        await _log.CheckpointAsync(CancellationToken.None);
        var oldCount = _t.Records().Count(r => r.Entry.Time < _clock.GetUtcNow() - TimeSpan.FromDays(2));

        var pass = await _retention!.RunOnceAsync(CancellationToken.None);

        Assert.True(pass.Pruned >= 2, $"{pass.Pruned} pruned ({pass.Skipped})");
        var anchor = AuditAnchor.Load(_t.Directory)!;
        Assert.Equal(anchor.FirstSeq, pass.FirstSeq);
        Assert.Equal(anchor.FirstSeq, _log.FirstSeq);
        Assert.True(anchor.Verify(_t.PublicKey));
        Assert.Equal(Enumerable.Range(1, anchor.FirstSegment - 1).Select(i => AuditSegments.CompressedPathOf(_export.Path, i)).ToList(),
            Directory.GetFiles(_export.Path).Order().ToList());
        // Only what was old went; the records of the last two days are all here.
        Assert.True(anchor.FirstSeq - 1 <= oldCount, $"pruned through record {anchor.FirstSeq - 1}, but only {oldCount} were older than 2 days");
        var retention = Assert.Single(_t.Records(), r => r.Entry.Kind == AuditKind.Retention);
        Assert.Contains($"the log now starts at record {anchor.FirstSeq}", retention.Entry.Detail);

        var result = Verify();
        Assert.Equal(anchor.FirstSeq, result.FirstSeq);
        Assert.NotNull(result.Anchor);

        // The server starts on a pruned log, and the chain goes on.
        await Close();
        Open(options);
        await Write(3);
        await Close();
        Verify();

        // The copies are whole segments of the chain: each decompresses to complete records.
        foreach (var copy in Directory.GetFiles(_export.Path))
            Assert.Equal(0, AuditSegments.ReadLines(AuditSegments.ReadAllBytes(copy)).TornBytes);
    }

    [Fact]
    public async Task Deleting_more_or_forging_the_anchor_is_found()
    {
        Open(new AuditRetentionOptions { MaxAgeDays = 2 });
        await Write(40);
        await _log!.CheckpointAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromDays(3));
        await Write(40);
        await _log.CheckpointAsync(CancellationToken.None);
        Assert.True((await _retention!.RunOnceAsync(CancellationToken.None)).Pruned > 0);
        await Close();
        Verify();
        var anchorPath = Path.Combine(_t.Directory, AuditAnchor.FileName);
        var anchorText = File.ReadAllText(anchorPath);
        var anchor = AuditAnchor.Load(_t.Directory)!;

        // Someone deletes the oldest kept segment as if retention had.
        var firstKept = AuditSegments.List(_t.Directory)[0].Path;
        var kept = File.ReadAllBytes(firstKept);
        File.Delete(firstKept);
        Assert.Contains("where anchor.json says the kept log starts, is missing", _t.Verify().Problem!.Message);
        File.WriteAllBytes(firstKept, kept);

        // …and moves the anchor on, signed with a key of their own.
        using (var forger = SoftwareToken.Create())
        {
            var sig = forger.SignDigest(KeySlot.Audit, AuditCheckpointSigning.Digest(anchor.FirstSeq - 1, anchor.Prev));
            (anchor with { Signature = Convert.ToBase64String(sig) }).Save(_t.Directory);
        }
        Assert.Contains("anchor's signature does not verify", _t.Verify().Problem!.Message);

        // An anchor that claims less was pruned than was: the segment it names is gone.
        var doc = JsonNode.Parse(anchorText)!;
        doc["first_segment"] = 2;
        File.WriteAllText(anchorPath, doc.ToJsonString());
        Assert.False(_t.Verify().Ok);

        File.WriteAllText(anchorPath, anchorText);
        Verify();
    }

    [Fact]
    public async Task Nothing_is_pruned_that_no_checkpoint_covers()
    {
        Open(new AuditRetentionOptions { MaxAgeDays = 2 });
        await Write(40);
        _clock.Advance(TimeSpan.FromDays(3));
        await Write(40);

        var pass = await _retention!.RunOnceAsync(CancellationToken.None);
        Assert.Equal(0, pass.Pruned);
        Assert.Contains("no signed checkpoint covers it", pass.Skipped);

        await _log!.CheckpointAsync(CancellationToken.None);
        Assert.True((await _retention.RunOnceAsync(CancellationToken.None)).Pruned > 0);
    }

    [Fact]
    public async Task The_size_cap_prunes_the_oldest_but_never_the_last_25_hours()
    {
        // About 2.3 MB of records a "day" against a 4 MiB cap (the smallest allowed with 1 MiB segments).
        await using var t = new AuditTestLog(new FileAuditLogOptions
            { MaxSegmentBytes = 1024 * 1024, MaxBatch = 64, CheckpointInterval = TimeSpan.FromDays(30) });
        await using var log = FileAuditLog.Open(t.Directory, new TokenCheckpointSigner(t.Token), t.Options, _clock);
        await using var retention = new AuditRetention(log, new AuditRetentionOptions { SegmentMiB = 1, MaxMiB = 4, Compress = false }, _clock, NullLogger.Instance);
        var random = new Random(7);
        async Task Day(string tag)
        {
            // Incompressible, so the size is what it seems; many at once, so group commit keeps it fast.
            var value = Convert.ToBase64String(Enumerable.Range(0, 1500).Select(_ => (byte)random.Next()).ToArray());
            await Task.WhenAll(Enumerable.Range(0, 1000).Select(i =>
                log.RecordAsync(AuditTestLog.Decision(i) with { Time = _clock.GetUtcNow(), AuditId = tag, Params = [new UpbitParam("note", value)] },
                    CancellationToken.None).AsTask()));
            await log.CheckpointAsync(CancellationToken.None);
        }

        await Day("old");
        await Day("old");
        var young = await retention.RunOnceAsync(CancellationToken.None);
        Assert.Equal(0, young.Pruned);
        Assert.Contains("younger than 25 h", young.Skipped);

        _clock.Advance(TimeSpan.FromHours(26));
        await Day("new");
        var pass = await retention.RunOnceAsync(CancellationToken.None);
        Assert.True(pass.Pruned > 0, pass.Skipped);
        var bytes = Directory.GetFiles(t.Directory).Sum(f => new FileInfo(f).Length);
        Assert.True(bytes <= 4 * 1024 * 1024, $"{bytes} bytes kept");
        // Only old records went: every record of the last day is kept, and some old ones too (just enough went).
        var kept = AuditReader.ReadAll(t.Directory).ToList();
        Assert.Equal(1000, kept.Count(r => r.Entry.AuditId == "new"));
        Assert.Contains(kept, r => r.Entry.AuditId == "old");
        Assert.True(AuditVerifier.Verify(t.Directory, t.PublicKey).Ok);
    }

    [Fact]
    public async Task An_interrupted_prune_verifies_and_is_finished_on_the_next_pass()
    {
        Open(new AuditRetentionOptions { MaxAgeDays = 2, ExportDir = _export.Path });
        await Write(40);
        await _log!.CheckpointAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromDays(3));
        await Write(40);
        await _log.CheckpointAsync(CancellationToken.None);
        await _retention!.RunOnceAsync(CancellationToken.None);
        // The state a power cut leaves between writing anchor.json and deleting the segments behind it.
        foreach (var copy in Directory.GetFiles(_export.Path)) File.Copy(copy, Path.Combine(_t.Directory, Path.GetFileName(copy)));

        var result = Verify();
        Assert.Contains(result.Warnings, w => w.Contains("a prune was interrupted"));
        await _retention.RunOnceAsync(CancellationToken.None);
        Assert.DoesNotContain(Verify().Warnings, w => w.Contains("interrupted"));
    }

    [Fact]
    public async Task Disk_figures_come_from_the_segments_and_give_days_left_at_this_rate()
    {
        Open();
        Assert.Null(_retention!.Storage.Report().BytesPerDay); // no history yet
        for (var hour = 0; hour < 12; hour++)
        {
            await Write(10);
            _clock.Advance(TimeSpan.FromHours(1));
        }
        var report = _retention.Storage.Report();
        var logBytes = AuditSegments.List(_t.Directory).Sum(s => new FileInfo(s.Path).Length);
        // Twelve hours of writing: about twice the log's size per day.
        Assert.InRange(report.BytesPerDay!.Value, logBytes * 1.5, logBytes * 2.5);
        Assert.Equal(report.DiskFreeBytes / report.BytesPerDay!.Value, report.DaysLeft!.Value, 3);
        Assert.True(report.AuditBytes >= logBytes);
        Assert.InRange(report.DiskUsedPercent, 0.001, 100);
        Assert.Equal(1, report.FirstSeq);
    }
}
