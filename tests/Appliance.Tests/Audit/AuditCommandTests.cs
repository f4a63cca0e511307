using System.Text;
using Appliance.Audit;
using Appliance.Cli;
using Appliance.Common;
using Appliance.Config;
using Appliance.Provisioning;
using Appliance.Tests.Support;
using Appliance.Token;
using Appliance.Devices.Tokens;
using Appliance.Tests.Provisioning;
using Appliance.Upbit;

namespace Appliance.Tests.Audit;

/// <summary><c>appliance audit verify|tail</c> on a demo data dir whose log the server would have written.</summary>
public sealed class AuditCommandTests : IDisposable
{
    private readonly TempDir _dir = new("appliance-audit-cli");
    private readonly DataDir _data;

    public AuditCommandTests()
    {
        _data = new DataDir(_dir.Sub("data"));
        using var secret = SecretBytes.TakeFrom(Encoding.UTF8.GetBytes("cli-secret"));
        DemoSetup.Ensure(_data, "127.0.0.1:0", TimeProvider.System, secret);
        // These tests count the records of a log of their own (the demo leaves anchoring to its server).
        if (Directory.Exists(_data.AuditDir)) Directory.Delete(_data.AuditDir, recursive: true);
    }

    public void Dispose() => _dir.Dispose();

    private async Task WriteAsync(int count)
    {
        using var token = TokenOpener.Open(_data, null);
        await using var log = FileAuditLog.Open(_data.AuditDir, new TokenCheckpointSigner(token));
        for (var i = 1; i <= count; i++) await log.RecordAsync(AuditTestLog.Decision(i), CancellationToken.None);
    }

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var code = await new CliApp(new CliIo(TextReader.Null, o, e, false), TimeProvider.System).RunAsync(args);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public async Task Verify_passes_on_an_intact_log()
    {
        await WriteAsync(3);
        var (code, output, _) = await Run("audit", "verify", "--data-dir", _data.Root);
        Assert.Equal(0, code);
        Assert.Contains("OK: 6 records in 1 segment(s)", output);
        Assert.Contains("1 checkpoint(s) verified", output);
    }

    [Fact]
    public async Task Verify_checks_token_json_against_the_fingerprint_the_operator_wrote_down()
    {
        await WriteAsync(2);
        var fingerprint = AuditKeyFingerprint.Of(TokenDescriptor.Load(_data.TokenFile).PublicKey(KeySlot.Audit));

        var (trusted, output, _) = await Run("audit", "verify", "--data-dir", _data.Root);
        Assert.Equal(0, trusted);
        Assert.Contains($"audit key: {fingerprint}, as token.json says; token.json sits in the same writable directory", output);

        var (given, givenOut, _) = await Run("audit", "verify", "--data-dir", _data.Root, "--key", fingerprint.Replace(" ", ":").ToUpperInvariant());
        Assert.Equal(0, given);
        Assert.Contains("the fingerprint you gave", givenOut);

        // Whoever can rewrite the log can rewrite token.json: a key of their own no longer passes.
        using (var other = SoftwareToken.Create())
        {
            var forged = TokenDescriptor.Load(_data.TokenFile);
            var keys = forged.PublicKeys.ToDictionary();
            keys[KeySlot.Audit.PivName()] = Convert.ToBase64String(other.GetPublicKey(KeySlot.Audit));
            (forged with { PublicKeys = keys }).Save(_data.TokenFile);
        }
        var (refused, _, error) = await Run("audit", "verify", "--data-dir", _data.Root, "--key", fingerprint);
        Assert.Equal(1, refused);
        Assert.Contains($"not the {fingerprint} you gave", error);

        var (bad, _, badError) = await Run("audit", "verify", "--data-dir", _data.Root, "--key", fingerprint[..^1]);
        Assert.Equal(2, bad);
        Assert.Contains("has 63 hex digits", badError);
    }

    [Fact]
    public async Task Tail_escapes_control_characters_a_bot_put_in_any_field()
    {
        using (var token = TokenOpener.Open(_data, null))
        await using (var log = FileAuditLog.Open(_data.AuditDir, new TokenCheckpointSigner(token)))
        {
            await log.RecordAsync(AuditTestLog.Decision(1) with
            {
                Bot = "evil\n2030-01-01 00:00:00.000Z #999 decision signed bot=trusted",
                Path = "/v1/x\u001b[2J\u001b]0;owned\u0007",
                Params = [new("k\r", "v\u202eevil\u0085\u2028")],
                Outcome = Appliance.Pipeline.Outcome.Denied,
                Reason = "BAD\tREASON\\",
            }, CancellationToken.None);
        }
        var (code, output, _) = await Run("audit", "tail", "--data-dir", _data.Root, "-n", "3");
        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length); // the injected newline did not forge a line
        var line = Assert.Single(lines, l => l.Contains("decision denied"));
        Assert.Contains(@"bot=evil\n2030-01-01", line);
        Assert.Contains(@"/v1/x\e[2J\e]0;owned\x07", line);
        Assert.Contains(@"k\r=v\u202eevil\u0085\u2028", line);
        Assert.Contains(@"BAD\tREASON\\", line);
        Assert.DoesNotContain(output.ToCharArray(), c => c != '\n' && (char.IsControl(c) || c is '\u202e' or '\u2028'));
    }

    [Fact]
    public async Task Verify_fails_naming_the_first_bad_record()
    {
        await WriteAsync(3);
        var path = AuditSegments.PathOf(_data.AuditDir, 1);
        var lines = File.ReadAllLines(path);
        lines[2] = lines[2].Replace("\"decision\":\"signed\"", "\"decision\":\"denied\"");
        File.WriteAllLines(path, lines);

        var (code, _, error) = await Run("audit", "verify", "--data-dir", _data.Root);
        Assert.Equal(1, code);
        Assert.Contains("FAILED at audit-00000001.jsonl line 3 (record 3): its content does not match its hash", error);
    }

    [Fact]
    public async Task Verify_of_a_dir_that_is_not_an_appliance_fails_cleanly()
    {
        var (code, _, error) = await Run("audit", "verify", "--data-dir", _dir.Sub("nothing"));
        Assert.Equal(1, code);
        Assert.Contains("not an appliance data dir", error);
    }

    [Fact]
    public async Task Tail_shows_the_last_records_readably()
    {
        await WriteAsync(5);
        var (code, output, _) = await Run("audit", "tail", "--data-dir", _data.Root, "-n", "3");
        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Contains("#6 decision signed bot=bot-a peer=127.0.0.1 credential=main GET /v1/orders/chance ?market=KRW-BTC", lines[0]);
        Assert.Contains("#7 stop", lines[1]);
        Assert.Contains("#8 checkpoint signs record 7", lines[2]);
        Assert.DoesNotContain("\"hash\"", output);

        Assert.Equal(2, (await Run("audit", "tail", "--data-dir", _data.Root, "-n", "-1")).Code);
    }

    [Fact]
    public async Task Tail_follow_prints_records_as_they_are_written()
    {
        await WriteAsync(1);
        var o = new StringWriter();
        var synced = TextWriter.Synchronized(o);
        using var stop = new CancellationTokenSource();
        var tail = new CliApp(new CliIo(TextReader.Null, synced, TextWriter.Null, false), TimeProvider.System)
            .RunAsync(["audit", "tail", "--data-dir", _data.Root, "-n", "0", "-f"], stop.Token);

        await WriteAsync(2);
        await AuditChainTests.WaitUntil(() => o.ToString().Contains("checkpoint signs record"));
        await stop.CancelAsync();
        Assert.Equal(0, await tail);
        var text = o.ToString();
        Assert.DoesNotContain("#2 decision", text);
        Assert.Contains("start", text);
        Assert.Contains("decision signed", text);
    }
}
