using System.Diagnostics;
using System.Globalization;
using System.Net;
using Appliance.Audit;
using Appliance.Devices.Tokens;
using Appliance.Pipeline;

namespace Appliance.Bench;

/// <summary>
/// Segment rotation on the request path or off it: two FileAuditLogs in one run, one rotating the old way
/// (the batch that crosses the size creates the next segment and fsyncs the directory), one with the next
/// segment prepared in the background, under the same concurrent load in alternating slices. Reports the
/// append latency tail (p99, p99.9, max) and how many rotations each saw, and — less exposed to a busy
/// machine's scheduling noise — the time the writer spent on each batch (write + fsync, plus the rotation
/// for the batch that crossed the size), from the log's own audit.fsync.duration histogram, split into
/// batches that rotated and batches that did not.
/// Usage: dotnet run -c Release --project bench/Appliance.Bench -- rotation [--seconds 20] [--segment-kib 1024] [--callers 16] [--dir PATH]
/// </summary>
internal static class RotationBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = 20.0;
        var segmentKib = 1024;
        var callers = 16;
        var root = Path.Combine(Directory.GetCurrentDirectory(), "bench-rotation");
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--segment-kib": segmentKib = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--callers": callers = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--dir": root = Path.GetFullPath(args[++i]); break;
                default:
                    Console.Error.WriteLine($"unknown argument {args[i]}; use --seconds S --segment-kib K --callers N --dir PATH");
                    return 2;
            }
        }
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        Directory.CreateDirectory(root);
        Console.WriteLine($"logs under {root}; {segmentKib} KiB segments, {callers} concurrent callers, {seconds} s per log");

        using var token = SoftwareToken.Create();
        var logs = new (string Name, FileAuditLog Log, List<double> Latencies, int[] Rotations)[]
        {
            ("inline (before)", Open(Path.Combine(root, "inline"), token, segmentKib, prepare: false), [], [0]),
            ("prepared (after)", Open(Path.Combine(root, "prepared"), token, segmentKib, prepare: true), [], [0]),
        };
        // The rotation event fires on the writer thread just before the batch that crosses the size is written;
        // the histogram then records that batch's time on the same thread.
        var rotating = new bool[logs.Length];
        var batches = logs.Select(_ => (Rotating: new List<double>(), Plain: new List<double>())).ToArray();
        var current = 0;
        for (var n = 0; n < logs.Length; n++)
        {
            var k = n;
            logs[k].Log.SegmentRotated += _ =>
            {
                Interlocked.Increment(ref logs[k].Rotations[0]);
                rotating[k] = true;
            };
        }
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "audit.fsync.duration") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, seconds, _, _) =>
        {
            var k = Volatile.Read(ref current);
            var list = rotating[k] ? batches[k].Rotating : batches[k].Plain;
            rotating[k] = false;
            lock (list) list.Add(seconds * 1000);
        });
        listener.Start();
        try
        {
            for (var k = 0; k < logs.Length; k++)
            {
                Volatile.Write(ref current, k);
                await Load(logs[k].Log, callers, TimeSpan.FromSeconds(1), []); // warm-up
            }
            foreach (var l in logs) l.Rotations[0] = 0;
            foreach (var b in batches) { b.Rotating.Clear(); b.Plain.Clear(); }
            var slices = Math.Max(2, (int)Math.Round(seconds / 2));
            for (var s = 0; s < slices; s++)
                foreach (var k in s % 2 == 0 ? new[] { 0, 1 } : [1, 0])
                {
                    Volatile.Write(ref current, k);
                    await Load(logs[k].Log, callers, TimeSpan.FromSeconds(seconds / slices), logs[k].Latencies);
                }

            Console.WriteLine();
            Console.WriteLine("| rotation | appends | rotations | p50 | p99 | p99.9 | max |");
            Console.WriteLine("|---|---|---|---|---|---|---|");
            foreach (var (name, _, latencies, rotations) in logs)
            {
                latencies.Sort();
                double P(double q) => latencies[Math.Min(latencies.Count - 1, (int)(latencies.Count * q))];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {latencies.Count} | {rotations[0]} | {P(0.5):F2} ms | {P(0.99):F2} ms | {P(0.999):F2} ms | {latencies[^1]:F2} ms |"));
            }
            Console.WriteLine();
            Console.WriteLine("| rotation | batches | writer time per batch: median | p99 | batches that rotated | their median | their max |");
            Console.WriteLine("|---|---|---|---|---|---|---|");
            for (var k = 0; k < logs.Length; k++)
            {
                var (rot, plain) = batches[k];
                rot.Sort();
                plain.Sort();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {logs[k].Name} | {plain.Count} | {plain[plain.Count / 2]:F2} ms | {plain[(int)(plain.Count * 0.99)]:F2} ms | {rot.Count} | {rot[rot.Count / 2]:F2} ms | {rot[^1]:F2} ms |"));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"\nrotating batch, median after/before: {batches[1].Rotating[batches[1].Rotating.Count / 2] / batches[0].Rotating[batches[0].Rotating.Count / 2]:F2}; " +
                $"rotating/plain median, before: {batches[0].Rotating[batches[0].Rotating.Count / 2] / batches[0].Plain[batches[0].Plain.Count / 2]:F2}, " +
                $"after: {batches[1].Rotating[batches[1].Rotating.Count / 2] / batches[1].Plain[batches[1].Plain.Count / 2]:F2}"));
            var before = logs[0].Latencies;
            var after = logs[1].Latencies;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"\nmax latency after/before: {after[^1] / before[^1]:F2}; p99.9 after/before: {after[(int)(after.Count * 0.999)] / before[(int)(before.Count * 0.999)]:F2}"));
            Console.WriteLine($"{Environment.ProcessorCount} cores; load average (1 min): {(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?")}");
        }
        finally
        {
            foreach (var l in logs) await l.Log.DisposeAsync();
        }
        return 0;
    }

    private static FileAuditLog Open(string dir, SoftwareToken token, int segmentKib, bool prepare) =>
        FileAuditLog.Open(dir, new TokenCheckpointSigner(token), new FileAuditLogOptions
        {
            MaxSegmentBytes = segmentKib * 1024L,
            PrepareNextSegment = prepare,
            CheckpointInterval = TimeSpan.FromHours(1),
            CheckpointEvery = 1_000_000,
        });

    private static async Task Load(FileAuditLog log, int callers, TimeSpan duration, List<double> latencies)
    {
        var watch = Stopwatch.StartNew();
        var all = new List<double>[callers];
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async c =>
        {
            var mine = all[c] = [];
            var i = 0;
            while (watch.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                await log.RecordAsync(Decision(c, i++), CancellationToken.None);
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }));
        foreach (var mine in all) latencies.AddRange(mine);
    }

    /// <summary>A signed order record of the usual size (about 550 bytes on disk).</summary>
    private static SignDecision Decision(int caller, int i) => new(
        Guid.CreateVersion7().ToString("N"), DateTimeOffset.UtcNow, Outcome.Signed, null, $"bot-{caller % 4}", IPAddress.Loopback.ToString(),
        "main", "POST", "/v1/orders",
        [new("market", "KRW-BTC"), new("side", "bid"), new("volume", "0.01"), new("price", "100000000"), new("ord_type", "limit"),
         new("identifier", $"bench-{caller}-{i}")],
        "none", Guid.NewGuid().ToString(), Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()));
}
