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
        var command = new Command("verify", "Check the whole chain and every checkpoint against the pinned audit key; exit 1 naming the first bad record") { dataDir };
        CommandAction.Set(command, io, parse =>
        {
            var data = CommonOptions.Open(parse, dataDir);
            var key = TokenDescriptor.Load(data.TokenFile).PublicKey(KeySlot.Audit);
            var result = AuditVerifier.Verify(data.AuditDir, key);
            foreach (var warning in result.Warnings) io.Out.WriteLine($"warning: {warning}");
            if (result.Problem is { } problem)
            {
                io.Error.WriteLine($"FAILED at {problem}");
                io.Error.WriteLine($"  the {result.Records} records before it are intact; keep the log as evidence.");
                return 1;
            }
            io.Out.WriteLine($"OK: {result.Records} records in {result.Segments} segment(s), chain intact; {result.Checkpoints} checkpoint(s) verified with the pinned audit key, the last covering record {result.LastCheckpointedSeq}");
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

    /// <summary>Polls for new complete lines, moving to the next segment when the writer rotates.</summary>
    private static async Task FollowAsync(CliIo io, string directory, int segment, long offset, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var path = AuditSegments.PathOf(directory, segment);
                if (File.Exists(path))
                {
                    var (records, next) = AuditReader.ReadSegment(path, offset);
                    foreach (var r in records) io.Out.WriteLine(AuditReader.Format(r));
                    if (records.Count > 0) io.Out.Flush();
                    offset = next;
                }
                if (File.Exists(AuditSegments.PathOf(directory, segment + 1)) && (!File.Exists(path) || offset >= new FileInfo(path).Length))
                {
                    segment++;
                    offset = 0;
                    continue;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken);
            }
        }
        catch (OperationCanceledException) { }
    }
}
