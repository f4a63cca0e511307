using System.CommandLine;
using Appliance.Audit;
using Appliance.Config;
using Appliance.Token;

namespace Appliance.Cli;

/// <summary><c>appliance audit verify|tail</c>: prove the log is whole and signed; read it as a person.</summary>
internal static class AuditCommand
{
    public static Command Build(CliIo io, TimeProvider time)
    {
        var audit = new Command("audit", "Verify or read the hash-chained audit log");
        audit.Add(Verify(io));
        audit.Add(Tail(io, time));
        return audit;
    }

    private static Command Verify(CliIo io)
    {
        var dataDir = CommonOptions.DataDir();
        var key = new Option<string?>("--key")
        {
            Description = "The audit key fingerprint 'appliance init' printed (64 hex digits, spaces allowed); without it token.json's key is trusted",
        };
        var command = new Command("verify", "Check the kept chain and every checkpoint against the audit key; exit 1 naming the first bad record") { dataDir, key };
        CommandAction.Set(command, io, parse =>
        {
            var data = CommonOptions.Open(parse, dataDir);
            var expected = parse.GetValue(key) is { } given ? AuditKeyFingerprint.Parse(given) : null;
            var publicKey = TokenDescriptor.Load(data.TokenFile).PublicKey(KeySlot.Audit);
            var fingerprint = AuditKeyFingerprint.Of(publicKey);
            if (expected is not null && expected != fingerprint)
            {
                io.Error.WriteLine($"FAILED: the audit key in token.json has fingerprint {fingerprint}, not the {expected} you gave.");
                io.Error.WriteLine("  token.json was replaced, or this is another appliance's data dir: its checkpoints prove nothing; keep the log as evidence.");
                return 1;
            }
            var result = AuditVerifier.Verify(data.AuditDir, publicKey);
            foreach (var warning in result.Warnings) io.Out.WriteLine($"warning: {warning}");
            if (result.Problem is { } problem)
            {
                io.Error.WriteLine($"FAILED at {problem}");
                io.Error.WriteLine($"  the {result.Records} records before it are intact; keep the log as evidence.");
                return 1;
            }
            var start = result.Anchor is { } anchor
                ? $"records {result.FirstSeq} to {result.LastSeq} (records 1 to {result.FirstSeq - 1} were pruned {anchor.PrunedAt.UtcDateTime:yyyy-MM-dd HH:mm}Z" +
                  $"{(anchor.ExportedTo is { } to ? $", copied to {to}" : "")}; the kept log starts at the signed anchor)"
                : $"{result.Records} records";
            io.Out.WriteLine($"OK: {start} in {result.Segments} segment(s), chain intact; {result.Checkpoints} checkpoint(s) verified with the audit key, the last covering record {result.LastCheckpointedSeq}");
            io.Out.WriteLine(expected is not null
                ? $"audit key: {fingerprint}, the fingerprint you gave."
                : $"audit key: {fingerprint}, as token.json says; token.json sits in the same writable directory as the log, so pass --key with the fingerprint 'appliance init' printed to check against the key you wrote down.");
            return 0;
        });
        return command;
    }

    private static Command Tail(CliIo io, TimeProvider time)
    {
        var dataDir = CommonOptions.DataDir();
        var count = new Option<int>("-n", "--lines") { Description = "How many of the last records to show (default 20)", DefaultValueFactory = _ => 20 };
        var follow = new Option<bool>("-f", "--follow") { Description = "Keep printing new records until Ctrl+C" };
        var command = new Command("tail", "Show the last records as readable lines") { dataDir, count, follow };
        CommandAction.Set(command, io, async (parse, cancellationToken) =>
        {
            var data = CommonOptions.Open(parse, dataDir);
            var n = parse.GetValue(count);
            if (n < 0) throw new ArgumentException("-n must be 0 or more.");
            var last = new Queue<AuditRecord>();
            var (segment, offset) = (0, 0L);
            foreach (var (index, path) in AuditSegments.List(data.AuditDir))
            {
                var (records, next) = AuditReader.ReadSegment(path, 0);
                foreach (var r in records)
                {
                    last.Enqueue(r);
                    if (last.Count > n) last.Dequeue();
                }
                (segment, offset) = (index, next);
            }
            foreach (var r in last) io.Out.WriteLine(AuditReader.Format(r));
            if (!parse.GetValue(follow)) return 0;
            io.Out.Flush();
            await FollowAsync(io, data.AuditDir, Math.Max(segment, 1), offset, time, cancellationToken);
            return 0;
        });
        return command;
    }

    /// <summary>
    /// Polls for new complete lines, moving to the next segment once the writer has: the next segment may
    /// exist (empty) before that, prepared in advance, so it is entered only when it has records, after a
    /// last read of the current one. A segment compressed meanwhile is read from its .gz.
    /// </summary>
    private static async Task FollowAsync(CliIo io, string directory, int segment, long offset, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                offset = Print(io, Existing(directory, segment), offset);
                if (Existing(directory, segment + 1) is { } next && new FileInfo(next).Length > 0)
                {
                    Print(io, Existing(directory, segment), offset); // what the writer added before it moved on
                    segment++;
                    offset = 0;
                    continue;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken);
            }
        }
        catch (OperationCanceledException) { }
    }

    private static string? Existing(string directory, int segment)
    {
        var plain = AuditSegments.PathOf(directory, segment);
        if (File.Exists(plain)) return plain;
        var packed = AuditSegments.CompressedPathOf(directory, segment);
        return File.Exists(packed) ? packed : null;
    }

    private static long Print(CliIo io, string? path, long offset)
    {
        if (path is null) return offset;
        try
        {
            var (records, next) = AuditReader.ReadSegment(path, offset);
            foreach (var r in records) io.Out.WriteLine(AuditReader.Format(r));
            if (records.Count > 0) io.Out.Flush();
            return next;
        }
        catch (FileNotFoundException) { return offset; } // compressed between the check and the read: next round
    }
}
