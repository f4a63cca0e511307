using System.Security.Cryptography;
using System.Text;
using Appliance.Audit;
using Appliance.Devices.Tokens;
using Appliance.Token;

namespace Appliance.Tests.Audit;

/// <summary>
/// What the log checks and signs when it opens: the chain from the last checkpoint to the end (not only
/// the last record), and a checkpoint over whatever a crash left unsigned, counting on across restarts.
/// A "crash" here is a clean run with its last lines (stop, final checkpoint) cut off: the bytes a kill leaves.
/// </summary>
public sealed class AuditStartTests : IAsyncLifetime
{
    private readonly AuditTestLog _t = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _t.DisposeAsync();

    /// <summary>Drops the stop record and the final checkpoint, as if the process had died before writing them.</summary>
    private void CrashBeforeStop()
    {
        var lines = _t.Lines(LastSegment());
        Assert.Contains("\"kind\":\"checkpoint\"", lines[^1]);
        Assert.Contains("\"kind\":\"stop\"", lines[^2]);
        _t.WriteLines(lines[..^2], LastSegment());
    }

    private int LastSegment() => AuditSegments.List(_t.Directory)[^1].Index;

    [Fact]
    public async Task A_record_replaced_after_the_last_checkpoint_stops_the_start_even_when_the_last_record_is_intact()
    {
        await _t.WriteAsync(6, checkpointEvery: 4);   // #1 start, #2-5 decisions, #6 checkpoint of #5, #7-8 decisions, stop, checkpoint
        CrashBeforeStop();
        var lines = _t.Lines();
        var victim = lines.FindLastIndex(l => l.Contains("\"kind\":\"decision\"")) - 1;
        lines[victim] = Rehash(lines[victim].Replace("KRW-BTC", "KRW-XRP")); // valid on its own; the next prev no longer matches
        _t.WriteLines(lines);

        var e = Assert.Throws<InvalidDataException>(() => _t.Open());
        Assert.Contains($"line {victim + 2} (record {victim + 2}): its prev does not match the hash of record {victim + 1}", e.Message);
        Assert.Contains("audit verify", e.Message);
    }

    [Fact]
    public async Task The_start_reads_from_the_last_checkpoint_not_from_the_beginning()
    {
        await _t.WriteAsync(50, checkpointEvery: 10);
        var log = _t.Open();
        // The clean stop left [stop, checkpoint]; the checkpoint signs the stop record: two records to check.
        Assert.Equal(2, log.StartVerifiedRecords);
        Assert.Equal(log.Head.Seq - 2, log.LastCheckpointedSeq); // the stop record; then that checkpoint, then this start
    }

    [Fact]
    public async Task A_clean_restart_signs_no_extra_checkpoint_a_crashed_one_signs_its_tail_at_once()
    {
        await _t.WriteAsync(3);
        _t.Open();
        await _t.CloseAsync();
        var clean = _t.Records();
        Assert.Equal(AuditKind.Stop, clean[clean.FindLastIndex(r => r.Entry.Kind == AuditKind.Start) + 1].Entry.Kind);

        await _t.WriteAsync(3);
        CrashBeforeStop();
        var log = _t.Open();
        var records = _t.Records();
        var start = records.FindLastIndex(r => r.Entry.Kind == AuditKind.Start);
        var checkpoint = records[start + 1];
        Assert.Equal(AuditKind.Checkpoint, checkpoint.Entry.Kind);
        Assert.Equal(records[start].Seq, checkpoint.Entry.Checkpoint!.Seq); // covers the crashed run and this start
        Assert.Equal(records[start].Seq, log.LastCheckpointedSeq);
        await _t.CloseAsync();
        var result = _t.Verify();
        Assert.True(result.Ok, result.Problem?.ToString());
    }

    [Fact]
    public async Task A_crash_loop_leaves_every_run_signed()
    {
        for (var run = 0; run < 6; run++)
        {
            await _t.WriteAsync(4);
            CrashBeforeStop();
        }
        _t.Open();
        await _t.CloseAsync();

        var result = _t.Verify();
        Assert.True(result.Ok, result.Problem?.ToString());
        Assert.DoesNotContain(result.Warnings, w => w.Contains("after the last checkpoint"));
        var records = _t.Records();
        // Each start after a crash signed the crashed run: no run's decisions waited for the final clean stop.
        var checkpoints = records.Where(r => r.Entry.Kind == AuditKind.Checkpoint).Select(r => r.Entry.Checkpoint!.Seq).ToList();
        foreach (var d in records.Where(r => r.Entry.Kind == AuditKind.Decision))
            Assert.Contains(checkpoints, c => c >= d.Seq && c < d.Seq + 8);
    }

    [Fact]
    public async Task Counting_toward_the_next_checkpoint_goes_on_across_restarts()
    {
        var options = _t.Options with { CheckpointEvery = 8 };
        // A run without checkpoints (no token): start, 5 decisions, stop = 7 unsigned records.
        await using (var unsigned = FileAuditLog.Open(_t.Directory, null, options))
            for (var i = 1; i <= 5; i++) await unsigned.RecordAsync(AuditTestLog.Decision(i), CancellationToken.None);

        // Next start with the token out: no checkpoint at start, and the 7 records still count.
        using var token = new SwitchableToken(_t.Token) { Present = false };
        await using var log = FileAuditLog.Open(_t.Directory, new TokenCheckpointSigner(token), options);
        Assert.DoesNotContain(_t.Records(), r => r.Entry.Kind == AuditKind.Checkpoint);
        token.Present = true;
        // 7 + this start = 8 records: due now. With the count reset at start it would take 7 more records
        // (or the hour-long interval) before any checkpoint.
        await log.RecordAsync(AuditTestLog.Decision(6), CancellationToken.None);
        await AuditChainTests.WaitUntil(() => _t.Records().Any(r => r.Entry.Kind == AuditKind.Checkpoint));
    }

    [Fact]
    public async Task A_second_writer_in_any_process_is_refused_before_it_writes()
    {
        _t.Open();
        var before = File.ReadAllBytes(_t.Segment());
        var e = Assert.Throws<InvalidOperationException>(() => FileAuditLog.Open(_t.Directory, new TokenCheckpointSigner(_t.Token), _t.Options));
        Assert.Contains("already open for writing", e.Message);
        Assert.Equal(before, File.ReadAllBytes(_t.Segment()));
        await _t.CloseAsync();
        _t.Open(); // released on close
    }

    internal static string Rehash(string line)
    {
        var cut = line.LastIndexOf(",\"hash\":\"", StringComparison.Ordinal);
        var body = line[..cut] + "}";
        return line[..cut] + $",\"hash\":\"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)))}\"}}";
    }

    /// <summary>The software token, unplugged on demand: signing then fails as a pulled YubiKey's does.</summary>
    private sealed class SwitchableToken(SoftwareToken inner) : IHardwareToken
    {
        public volatile bool Present = true;
        public string Serial => inner.Serial;
        public bool IsSoftware => true;
        public bool IsPresent() => Present;
        public byte[] GetPublicKey(KeySlot slot) => inner.GetPublicKey(slot);
        public byte[] DeriveSharedSecret(KeySlot slot, ReadOnlySpan<byte> peer) => inner.DeriveSharedSecret(slot, peer);

        public byte[] SignDigest(KeySlot slot, ReadOnlySpan<byte> digest) =>
            Present ? inner.SignDigest(slot, digest) : throw new InvalidOperationException($"Token {Serial} is not present; plug it back in.");

        public void Dispose() { }
    }
}
