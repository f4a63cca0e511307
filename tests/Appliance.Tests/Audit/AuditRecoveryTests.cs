using System.Text;
using Appliance.Audit;

namespace Appliance.Tests.Audit;

/// <summary>What the log finds when it opens after a crash.</summary>
public sealed class AuditRecoveryTests : IAsyncLifetime
{
    private readonly AuditTestLog _t = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _t.DisposeAsync();

    [Fact]
    public async Task A_torn_last_line_is_cut_off_recorded_and_the_chain_continues()
    {
        await _t.WriteAsync(4);
        var before = _t.Records();
        var intact = new FileInfo(_t.Segment()).Length;
        // What a kill in the middle of a write leaves: the front of a record, no newline.
        var fragment = Encoding.UTF8.GetBytes("{\"seq\":9,\"time\":\"2026-01-01T00:00:00.0000000Z\",\"kind\":\"deci");
        await using (var f = new FileStream(_t.Segment(), FileMode.Append))
            f.Write(fragment);

        var torn = _t.Verify();
        Assert.True(torn.Ok, torn.Problem?.ToString());
        Assert.Contains(torn.Warnings, w => w.Contains($"torn record of {fragment.Length} bytes"));

        _t.Open();
        await _t.CloseAsync();

        var after = _t.Records();
        var truncation = after[before.Count];
        Assert.Equal(AuditKind.Truncation, truncation.Entry.Kind);
        Assert.Contains($"{fragment.Length} bytes at offset {intact}", truncation.Entry.Detail);
        Assert.Equal(before[^1].Hash, truncation.Prev);
        Assert.Equal(AuditKind.Start, after[before.Count + 1].Entry.Kind);
        var result = _t.Verify();
        Assert.True(result.Ok, result.Problem?.ToString());
        Assert.DoesNotContain(result.Warnings, w => w.Contains("torn"));
    }

    [Fact]
    public async Task A_damaged_last_record_stops_the_log_from_opening()
    {
        await _t.WriteAsync(2);
        var lines = _t.Lines();
        lines[^1] = lines[^1].Replace("\"kind\":\"checkpoint\"", "\"kind\":\"decision\"");
        _t.WriteLines(lines);

        var e = Assert.Throws<InvalidDataException>(() => _t.Open());
        Assert.Contains("audit verify", e.Message);
    }

    [Fact]
    public async Task An_empty_next_segment_left_by_a_crash_is_accepted_and_the_chain_continues_where_it_was()
    {
        await _t.WriteAsync(2);
        var before = new FileInfo(_t.Segment(1)).Length;
        File.WriteAllBytes(_t.Segment(2), []); // the writer prepares the next segment before it needs it

        await _t.WriteAsync(2);

        Assert.True(new FileInfo(_t.Segment(1)).Length > before);
        Assert.Equal(0, new FileInfo(_t.Segment(2)).Length);
        var result = _t.Verify();
        Assert.True(result.Ok, result.Problem?.ToString());
        Assert.Equal(2, result.Segments);
    }

    [Fact]
    public void A_fresh_log_starts_at_the_genesis_hash()
    {
        _t.Open();
        var head = _t.Log!.Head;
        Assert.Equal(1, head.Seq);
        Assert.Equal(AuditRecord.Genesis, _t.Records()[0].Prev);
    }

    [Fact]
    public void Verify_of_an_empty_directory_fails_clearly()
    {
        Directory.CreateDirectory(_t.Directory);
        var result = _t.Verify();
        Assert.False(result.Ok);
        Assert.Contains("no audit segments", result.Problem!.Message);
    }
}
