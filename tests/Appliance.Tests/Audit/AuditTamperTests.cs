using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Appliance.Audit;
using Appliance.Token;
using Appliance.Devices.Tokens;

namespace Appliance.Tests.Audit;

/// <summary>
/// Every kind of tampering is found, and the report names the right record. The log under test:
/// 1 start, 2..21 decisions with a checkpoint after every 5th (so records 7, 13, 19, 25 are checkpoints), stop, final checkpoint.
/// </summary>
public sealed partial class AuditTamperTests : IAsyncLifetime
{
    private readonly AuditTestLog _t = new();

    public async ValueTask InitializeAsync()
    {
        await _t.WriteAsync(20, checkpointEvery: 5);
        Assert.True(_t.Verify().Ok);
    }

    public async ValueTask DisposeAsync() => await _t.DisposeAsync();

    private AuditProblem Broken()
    {
        var result = _t.Verify();
        Assert.False(result.Ok, "tampering went unnoticed");
        return result.Problem!;
    }

    [Fact]
    public void Editing_a_field_names_the_edited_record()
    {
        var lines = _t.Lines();
        lines[9] = lines[9].Replace("\"bot\":\"bot-a\"", "\"bot\":\"bot-b\"");
        _t.WriteLines(lines);

        var p = Broken();
        Assert.Equal(10, p.Line);
        Assert.Equal(10, p.Seq);
        Assert.Contains("edited", p.Message);
    }

    [Fact]
    public void Editing_a_field_and_its_hash_names_the_record_after_it()
    {
        var lines = _t.Lines();
        lines[9] = Rehash(lines[9].Replace("KRW-BTC", "KRW-ETH"));
        _t.WriteLines(lines);

        var p = Broken();
        Assert.Equal(11, p.Seq);
        Assert.Contains("prev does not match the hash of record 10", p.Message);
    }

    [Fact]
    public void Deleting_a_record_names_the_missing_one()
    {
        var lines = _t.Lines();
        lines.RemoveAt(9);
        _t.WriteLines(lines);

        var p = Broken();
        Assert.Equal(10, p.Seq);
        Assert.Contains("record 10 is missing", p.Message);
    }

    [Fact]
    public void Reordering_records_is_found_where_the_order_breaks()
    {
        var lines = _t.Lines();
        (lines[9], lines[10]) = (lines[10], lines[9]);
        _t.WriteLines(lines);

        var p = Broken();
        Assert.Equal(10, p.Line);
        Assert.Equal(10, p.Seq);
        Assert.Contains("record 10 is missing (found record 11 in its place)", p.Message);
    }

    [Fact]
    public void Cutting_out_the_middle_names_the_first_lost_record()
    {
        var bytes = File.ReadAllBytes(_t.Segment());
        var text = Encoding.UTF8.GetString(bytes);
        var start = NthLineStart(text, 9) + 40;   // inside record 10
        var end = NthLineStart(text, 14) + 17;    // inside record 15
        File.WriteAllText(_t.Segment(), text[..start] + text[end..]);

        var p = Broken();
        Assert.Equal(10, p.Line);
        Assert.Equal(10, p.Seq);
        Assert.Contains("not a valid audit record", p.Message);
    }

    [Fact]
    public void Truncating_a_record_in_the_middle_of_the_file_names_it()
    {
        var lines = _t.Lines();
        lines[11] = lines[11][..(lines[11].Length / 2)];
        _t.WriteLines(lines);

        var p = Broken();
        Assert.Equal(12, p.Line);
        Assert.Equal(12, p.Seq);
    }

    [Fact]
    public void Swapping_two_checkpoints_is_found()
    {
        var lines = _t.Lines();
        Assert.Contains("\"kind\":\"checkpoint\"", lines[6]);
        Assert.Contains("\"kind\":\"checkpoint\"", lines[12]);
        (lines[6], lines[12]) = (lines[12], lines[6]);
        _t.WriteLines(lines);

        var p = Broken();
        Assert.Equal(7, p.Line);
        Assert.Equal(7, p.Seq);
        Assert.Contains("records 7 to 12 are missing (found record 13", p.Message);
    }

    [Fact]
    public void A_checkpoint_moved_onto_another_record_is_found_even_when_rehashed()
    {
        // Record 13's checkpoint body pasted as record 7's (seq and prev kept, hash recomputed).
        var lines = _t.Lines();
        var checkpoint7 = CheckpointMember().Match(lines[6]).Value;
        var checkpoint13 = CheckpointMember().Match(lines[12]).Value;
        lines[6] = Rehash(lines[6].Replace(checkpoint7, checkpoint13));
        _t.WriteLines(lines);

        var p = Broken();
        Assert.Equal(7, p.Seq);
        Assert.Contains("checkpoint names record", p.Message);
    }

    [Fact]
    public void A_forged_checkpoint_over_a_rewritten_history_fails_the_signature()
    {
        // The attacker edits record 10, re-chains everything after it, and re-signs checkpoints with a key of their own.
        using var forger = SoftwareToken.Create();
        var lines = _t.Lines();
        lines[9] = lines[9].Replace("KRW-BTC", "KRW-XRP");
        var prev = "";
        for (var i = 9; i < lines.Count; i++)
        {
            var line = i == 9 ? lines[i] : Regex.Replace(lines[i], "\"prev\":\"[0-9a-f]{64}\"", $"\"prev\":\"{prev}\"");
            var record = AuditRecordJson.Parse(Encoding.UTF8.GetBytes(Rehash(line)));
            if (record.Entry.Checkpoint is { } c)
            {
                var target = AuditRecordJson.Parse(Encoding.UTF8.GetBytes(lines[(int)c.Seq - 1]));
                var sig = forger.SignDigest(KeySlot.Audit, AuditCheckpointSigning.Digest(target.Seq, target.Hash));
                record = record with { Entry = record.Entry with { Checkpoint = c with { Hash = target.Hash, Signature = Convert.ToBase64String(sig) } } };
            }
            var (sealedRecord, bytes) = AuditRecordJson.Seal(record.Seq, record.Entry, record.Prev);
            lines[i] = Encoding.UTF8.GetString(bytes).TrimEnd('\n');
            prev = sealedRecord.Hash;
        }
        _t.WriteLines(lines);

        var p = Broken();
        Assert.Equal(13, p.Seq);
        Assert.Contains("signature does not verify against the pinned audit key", p.Message);
    }

    [Fact]
    public void A_missing_segment_is_named()
    {
        // Rewrite into three segments by hand, then drop the middle one.
        var lines = _t.Lines();
        File.Delete(_t.Segment());
        _t.WriteLines(lines[..8], 1);
        _t.WriteLines(lines[8..16], 2);
        _t.WriteLines(lines[16..], 3);
        Assert.True(_t.Verify().Ok, _t.Verify().Problem?.ToString());
        File.Delete(_t.Segment(2));

        var p = Broken();
        Assert.Equal(AuditSegments.FileName(2), p.File);
        Assert.Contains("missing", p.Message);
    }

    [Fact]
    public void A_line_that_is_not_canonical_is_refused_even_with_a_valid_hash()
    {
        var lines = _t.Lines();
        lines[4] = lines[4].Replace("{\"seq\":5,", "{\"seq\": 5,");
        _t.WriteLines(lines);

        var p = Broken();
        Assert.Equal(5, p.Line);
        Assert.Contains("canonical", p.Message);
    }

    [Fact]
    public void A_log_checked_against_another_appliance_key_fails_at_the_first_checkpoint()
    {
        using var other = SoftwareToken.Create();
        var result = AuditVerifier.Verify(_t.Directory, other.GetPublicKey(KeySlot.Audit));
        Assert.False(result.Ok);
        Assert.Equal(7, result.Problem!.Seq);
    }

    private static string Rehash(string line)
    {
        var cut = line.LastIndexOf(",\"hash\":\"", StringComparison.Ordinal);
        var body = line[..cut] + "}";
        return line[..cut] + $",\"hash\":\"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)))}\"}}";
    }

    private static int NthLineStart(string text, int n)
    {
        var index = 0;
        for (var i = 0; i < n; i++) index = text.IndexOf('\n', index) + 1;
        return index;
    }

    [GeneratedRegex("\"checkpoint\":\\{[^}]*\\}")]
    private static partial Regex CheckpointMember();
}
