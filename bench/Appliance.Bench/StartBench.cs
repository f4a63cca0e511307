using System.Diagnostics;
using System.Globalization;
using System.Net;
using Appliance.Audit;
using Appliance.Devices.Tokens;
using Appliance.Pipeline;

namespace Appliance.Bench;

/// <summary>
/// What verifying from the last checkpoint costs at start: FileAuditLog.Open on a log whose last run
/// crashed N records after its last checkpoint (the start then verifies those N and signs a checkpoint
/// over them), against the old start's work in the same run (read the last segment, check its last
/// record) as the baseline.
/// Usage: dotnet run -c Release --project bench/Appliance.Bench -- start [--repeat 5] [--dir PATH]
/// </summary>
internal static class StartBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var repeat = 5;
        var root = Path.Combine(Directory.GetCurrentDirectory(), "bench-start");
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--repeat": repeat = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--dir": root = Path.GetFullPath(args[++i]); break;
                default:
                    Console.Error.WriteLine($"unknown argument {args[i]}; use --repeat N --dir PATH");
                    return 2;
            }
        }
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        using var token = SoftwareToken.Create();
        Console.WriteLine("| records after the last checkpoint | records verified | old start: last record only | new: verify from the last checkpoint | ratio | CPU time of the new verify | whole Open (+ totals, start record, checkpoint: fsyncs) |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var tail in new[] { 0, 1_000, 5_000, 11_000 })
        {
            var dir = Path.Combine(root, $"tail-{tail}");
            await Build(dir, token, tail);
            var snapshot = File.ReadAllBytes(AuditSegments.PathOf(dir, 1));
            double oldStart = double.MaxValue, recover = double.MaxValue, open = double.MaxValue, cpu = double.MaxValue;
            var verified = 0;
            for (var r = 0; r < repeat; r++)
            {
                File.WriteAllBytes(AuditSegments.PathOf(dir, 1), snapshot);
                File.Delete(Path.Combine(dir, WithdrawalTotalsFile.FileName));
                File.Copy(Path.Combine(dir, "totals.keep"), Path.Combine(dir, WithdrawalTotalsFile.FileName));
                var started = Stopwatch.GetTimestamp();
                OldStart(dir);
                oldStart = Math.Min(oldStart, Stopwatch.GetElapsedTime(started).TotalMilliseconds);

                started = Stopwatch.GetTimestamp();
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                var head = AuditRecovery.Recover(dir, FileAuditDisk.Instance);
                recover = Math.Min(recover, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                cpu = Math.Min(cpu, (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds);

                started = Stopwatch.GetTimestamp();
                var log = FileAuditLog.Open(dir, new TokenCheckpointSigner(token), Options);
                open = Math.Min(open, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                verified = log.StartVerifiedRecords;
                if (head.Tail.Count != verified) throw new InvalidOperationException("the two starts saw different tails");
                await log.DisposeAsync();
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {tail} | {verified} | {oldStart:F1} ms | {recover:F1} ms | {recover / oldStart:F1} | {cpu:F0} ms | {open:F1} ms |"));
        }
        Console.WriteLine($"\nbest of {repeat}; 12,000 records of ~600 bytes in one segment; software token (a YubiKey adds ~70 ms for the start checkpoint when there is a tail)");
        Console.WriteLine($"{Environment.ProcessorCount} cores; load average (1 min): {(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?")}");
        return 0;
    }

    private static readonly FileAuditLogOptions Options = new() { CheckpointInterval = TimeSpan.FromHours(1), CheckpointEvery = 1_000_000 };

    /// <summary>Fills most of a segment, checkpoints, writes <paramref name="tail"/> more and "crashes" (drops the stop and final checkpoint).</summary>
    private static async Task Build(string dir, SoftwareToken token, int tail)
    {
        var totals = Path.Combine(dir, WithdrawalTotalsFile.FileName);
        var keep = Path.Combine(dir, "totals.keep");
        await using (var log = FileAuditLog.Open(dir, new TokenCheckpointSigner(token), Options))
        {
            await Write(log, 12_000 - tail); // ~7 MB: one segment
            await log.CheckpointAsync(CancellationToken.None);
            File.Copy(totals, keep); // as a crash after this checkpoint leaves it: anchored at the checkpoint's record
            await Write(log, tail);
        }
        var path = AuditSegments.PathOf(dir, 1);
        if (AuditSegments.List(dir).Count(s => new FileInfo(s.Path).Length > 0) != 1)
            throw new InvalidOperationException("the bench log spilled into a second segment; write fewer records");
        var lines = File.ReadAllLines(path);
        if (tail > 0) File.WriteAllLines(path, lines[..^2]);
        else File.Copy(totals, keep, overwrite: true); // a clean stop: anchored at the final checkpoint's record
    }

    private static async Task Write(FileAuditLog log, int count)
    {
        for (var i = 0; i < count; i += 256)
            await Task.WhenAll(Enumerable.Range(i, Math.Min(256, count - i)).Select(n => log.RecordAsync(Decision(n), CancellationToken.None).AsTask()));
    }

    /// <summary>The start before this change: read the last segment, parse and hash its last record.</summary>
    private static void OldStart(string dir)
    {
        var bytes = File.ReadAllBytes(AuditSegments.PathOf(dir, 1));
        var (lines, _) = AuditSegments.ReadLines(bytes);
        var last = AuditRecordJson.Parse(lines[^1].Span);
        if (AuditRecordJson.ComputeHash(last) != last.Hash) throw new InvalidDataException("bench log damaged");
    }

    private static SignDecision Decision(int i) => new(
        Guid.CreateVersion7().ToString("N"), DateTimeOffset.UtcNow, Outcome.Signed, null, "bot-a", IPAddress.Loopback.ToString(),
        "main", "POST", "/v1/orders",
        [new("market", "KRW-BTC"), new("side", "bid"), new("volume", "0.01"), new("price", "100000000"), new("ord_type", "limit"),
         new("identifier", $"bench-{i}")],
        "none", Guid.NewGuid().ToString(), Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()));
}
