using System.Security.Cryptography;
using System.Text;
using Appliance.Audit;
using Appliance.Pipeline;
using Appliance.Token;

namespace Appliance.Tests.Audit;

/// <summary>Appending, chaining, rotation, checkpoints and reopening of the file audit log.</summary>
public sealed class AuditChainTests : IAsyncLifetime
{
    private readonly AuditTestLog _t = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _t.DisposeAsync();

    [Fact]
    public async Task Records_are_chained_hashed_and_verify()
    {
        await _t.WriteAsync(5);

        var records = _t.Records();
        Assert.Equal([AuditKind.Start, .. Enumerable.Repeat(AuditKind.Decision, 5), AuditKind.Stop, AuditKind.Checkpoint],
            records.Select(r => r.Entry.Kind));
        Assert.Equal(Enumerable.Range(1, records.Count).Select(i => (long)i), records.Select(r => r.Seq));
        Assert.Equal(AuditRecord.Genesis, records[0].Prev);
        for (var i = 1; i < records.Count; i++) Assert.Equal(records[i - 1].Hash, records[i].Prev);
        var result = _t.Verify();
        Assert.True(result.Ok, result.Problem?.ToString());
        Assert.Equal(8, result.Records);
        Assert.Equal(1, result.Checkpoints);
        Assert.Equal(7, result.LastCheckpointedSeq);
    }

    [Fact]
    public async Task The_hash_covers_the_line_without_its_hash_member()
    {
        await _t.WriteAsync(1);
        var line = _t.Lines()[1];
        var cut = line.LastIndexOf(",\"hash\":\"", StringComparison.Ordinal);
        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(line[..cut] + "}")));
        Assert.EndsWith($",\"hash\":\"{expected}\"}}", line);
    }

    [Fact]
    public async Task A_decision_record_holds_what_was_decided_and_never_the_token()
    {
        var log = _t.Open();
        var decision = AuditTestLog.Decision(1) with { Approval = "button" };
        decision = decision with { ApprovalWaited = TimeSpan.FromMilliseconds(1234) };
        var record = await log.AppendAsync(AuditEntry.FromDecision(decision), CancellationToken.None);
        await _t.CloseAsync();

        var line = _t.Lines()[1];
        Assert.Contains("\"kind\":\"decision\"", line);
        Assert.Contains("\"bot\":\"bot-a\",\"peer\":\"127.0.0.1\",\"credential\":\"main\",\"method\":\"GET\",\"path\":\"/v1/orders/chance\",\"params\":[[\"market\",\"KRW-BTC\"]]", line);
        Assert.Contains("\"decision\":\"signed\"", line);
        Assert.Contains("\"approval\":{\"mode\":\"button\",\"waited_ms\":1234}", line);
        Assert.Contains($"\"nonce\":\"{decision.Nonce}\"", line);
        Assert.Contains($"\"token_sha256\":\"{decision.TokenSha256}\"", line);
        Assert.Equal(2, record.Seq);
        var parsed = AuditRecordJson.Parse(Encoding.UTF8.GetBytes(line));
        Assert.Equal(record.Hash, parsed.Hash);
        Assert.Equal(decision.Time.UtcDateTime, parsed.Entry.Time.UtcDateTime);
    }

    [Fact]
    public async Task A_refused_request_keeps_a_bounded_copy_of_what_it_sent()
    {
        var log = _t.Open();
        var huge = new string('x', 10_000);
        var d = AuditTestLog.Decision(1, Outcome.Denied) with { Path = huge, Params = Enumerable.Range(0, 500).Select(i => new Appliance.Upbit.UpbitParam("k" + i, huge)).ToList() };
        await log.RecordAsync(d, CancellationToken.None);
        await _t.CloseAsync();
        var line = _t.Lines()[1];
        Assert.True(line.Length < 64 * 300, $"line of {line.Length} chars");
        Assert.Contains("\"reason\":\"SCOPE_DENIED\"", line);
        Assert.True(_t.Verify().Ok);
    }

    [Fact]
    public async Task Reopening_continues_the_chain()
    {
        await _t.WriteAsync(3);
        await _t.WriteAsync(3);

        var records = _t.Records();
        Assert.Equal(2, records.Count(r => r.Entry.Kind == AuditKind.Start));
        var result = _t.Verify();
        Assert.True(result.Ok, result.Problem?.ToString());
        Assert.Equal(records.Count, result.Records);
    }

    [Fact]
    public async Task Segments_rotate_by_size_and_the_chain_runs_across_them()
    {
        await using var t = new AuditTestLog(new FileAuditLogOptions { MaxSegmentBytes = 4096, CheckpointInterval = TimeSpan.FromHours(1) });
        await t.WriteAsync(40, checkpointEvery: 10);

        var segments = AuditSegments.List(t.Directory);
        Assert.True(segments.Count >= 3, $"{segments.Count} segments");
        Assert.All(segments.SkipLast(1), s => Assert.InRange(new FileInfo(s.Path).Length, 1, 4096));
        var second = AuditRecordJson.Parse(Encoding.UTF8.GetBytes(t.Lines(2)[0]));
        var lastOfFirst = AuditRecordJson.Parse(Encoding.UTF8.GetBytes(t.Lines(1)[^1]));
        Assert.Equal(lastOfFirst.Hash, second.Prev);
        Assert.Equal(lastOfFirst.Seq + 1, second.Seq);
        var result = t.Verify();
        Assert.True(result.Ok, result.Problem?.ToString());
        Assert.Equal(5, result.Checkpoints);
    }

    [Fact]
    public async Task Checkpoints_come_every_N_records_by_themselves()
    {
        await using var t = new AuditTestLog(new FileAuditLogOptions { CheckpointEvery = 5, CheckpointInterval = TimeSpan.FromHours(1) });
        var log = t.Open();
        for (var i = 0; i < 12; i++) await log.RecordAsync(AuditTestLog.Decision(i), CancellationToken.None);
        await WaitUntil(() => t.Records().Count(r => r.Entry.Kind == AuditKind.Checkpoint) >= 2);
        await t.CloseAsync();
        var result = t.Verify();
        Assert.True(result.Ok, result.Problem?.ToString());
        Assert.True(result.Checkpoints >= 3, $"{result.Checkpoints} checkpoints");
    }

    [Fact]
    public async Task Checkpoints_come_every_T_seconds_when_something_was_written()
    {
        await using var t = new AuditTestLog(new FileAuditLogOptions { CheckpointInterval = TimeSpan.FromMilliseconds(100) });
        var log = t.Open();
        await log.RecordAsync(AuditTestLog.Decision(1), CancellationToken.None);
        await WaitUntil(() => t.Records().Any(r => r.Entry.Kind == AuditKind.Checkpoint));
        await Task.Delay(400);
        // Nothing new was written: no further checkpoints of checkpoints.
        Assert.Single(t.Records(), r => r.Entry.Kind == AuditKind.Checkpoint);
        await t.CloseAsync();
    }

    [Fact]
    public async Task Checkpoint_signature_verifies_with_the_audit_key_only()
    {
        await _t.WriteAsync(2);
        var c = _t.Records().Single(r => r.Entry.Kind == AuditKind.Checkpoint).Entry.Checkpoint!;
        Assert.Equal("9a", c.Key);
        Assert.True(AuditCheckpointSigning.Verify(_t.Token.GetPublicKey(KeySlot.Audit), c));
        Assert.False(AuditCheckpointSigning.Verify(_t.Token.GetPublicKey(KeySlot.Seal), c));
        Assert.False(AuditCheckpointSigning.Verify(_t.Token.GetPublicKey(KeySlot.Audit), c with { Seq = c.Seq + 1 }));
    }

    [Fact]
    public async Task A_missing_token_delays_the_checkpoint_but_not_the_records()
    {
        var log = _t.Open();
        _t.Token.Unplug();
        await log.RecordAsync(AuditTestLog.Decision(1), CancellationToken.None);
        await Assert.ThrowsAnyAsync<Exception>(() => log.CheckpointAsync(CancellationToken.None));
        _t.Token.Plug();
        Assert.NotNull(await log.CheckpointAsync(CancellationToken.None));
        await _t.CloseAsync();
        Assert.True(_t.Verify().Ok);
    }

    [Fact]
    public void Bad_options_are_refused()
    {
        Assert.Throws<ArgumentException>(() => FileAuditLog.Open(_t.Directory, null, new FileAuditLogOptions { MaxSegmentBytes = 10 }));
        Assert.Throws<ArgumentException>(() => FileAuditLog.Open(_t.Directory, null, new FileAuditLogOptions { CheckpointEvery = 0 }));
        Assert.Throws<ArgumentException>(() => FileAuditLog.Open(" ", null));
    }

    internal static async Task WaitUntil(Func<bool> condition, int timeoutMs = 5000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met in time");
            await Task.Delay(20);
        }
    }
}
