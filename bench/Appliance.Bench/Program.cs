using System.Diagnostics;
using System.Globalization;
using Appliance.Audit;
using Appliance.Bench;
using Appliance.Client;

// Sign throughput over loopback mTLS with the fsync'd FileAuditLog vs an in-memory audit sink, in one
// run, in alternating one-second slices so both see the same machine; then the latency of one Sign
// at a time. --seconds is the measured time per sink.
// Usage: dotnet run -c Release --project bench/Appliance.Bench -- [--seconds 8] [--concurrency 32] [--dir PATH]
// Other benchmarks: `-- rotation …` (RotationBench: segment rotation on/off the request path) and
// `-- start …` (StartBench: the cost of verifying from the last checkpoint at start).
if (args is ["rotation", ..]) return await RotationBench.RunAsync(args[1..]);
if (args is ["start", ..]) return await StartBench.RunAsync(args[1..]);
var seconds = 8.0;
var concurrency = 32;
var root = Path.Combine(Directory.GetCurrentDirectory(), "bench-data");
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--concurrency": concurrency = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--dir": root = Path.GetFullPath(args[++i]); break;
        default:
            Console.Error.WriteLine($"unknown argument {args[i]}; use --seconds S --concurrency C --dir PATH");
            return 2;
    }
}
if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
Directory.CreateDirectory(root);
Console.WriteLine($"data under {root} (the FileAuditLog fsyncs there: put it on the disk you care about)");

var memory = new MemoryAuditSink();
await using var memServer = await BenchServer.StartAsync("memory", root, memory);
await using var fileServer = await BenchServer.StartAsync("file", root, null);
var servers = new[] { memServer, fileServer };

// Warm up both (JIT, TLS sessions, connection pools).
for (var w = 0; w < 2; w++)
    foreach (var s in servers) await Load.ThroughputAsync(s, concurrency, TimeSpan.FromSeconds(1.5));

// Many short alternating slices, so both sinks see the same background load on a shared machine.
var totals = servers.ToDictionary(s => s.Name, _ => (Calls: 0L, Time: TimeSpan.Zero));
var slices = Math.Max(1, (int)Math.Round(seconds));
for (var slice = 0; slice < slices; slice++)
    foreach (var s in slice % 2 == 0 ? servers : servers.Reverse())
    {
        var (calls, elapsed) = await Load.ThroughputAsync(s, concurrency, TimeSpan.FromSeconds(seconds / slices));
        totals[s.Name] = (totals[s.Name].Calls + calls, totals[s.Name].Time + elapsed);
    }
foreach (var s in servers)
    Console.WriteLine($"  {s.Name,-7}: {totals[s.Name].Calls} signs in {totals[s.Name].Time.TotalSeconds:F1} s");

double Rate(string name) => totals[name].Calls / totals[name].Time.TotalSeconds;
var ratio = Rate("file") / Rate("memory");

var latency = new Dictionary<string, (double Median, double P99)>();
foreach (var s in servers) latency[s.Name] = await Load.LatencyAsync(s, 400);

var log = fileServer.Server.AuditLog!;
Console.WriteLine();
Console.WriteLine($"| audit sink | signs/s ({concurrency} concurrent) | median latency, 1 at a time | p99 |");
Console.WriteLine("|---|---|---|---|");
foreach (var s in servers)
    Console.WriteLine($"| {s.Name} | {Rate(s.Name):F0} | {latency[s.Name].Median:F2} ms | {latency[s.Name].P99:F2} ms |");
Console.WriteLine();
Console.WriteLine($"durable/in-memory throughput ratio: {ratio:F2} (cost of durable audit: {(1 - ratio) * 100:F0} %; goal ≤ 30 %)");
Console.WriteLine($"records in the file log: {log.Head.Seq} in {log.Batches} fsync'd batches ({(double)log.Head.Seq / log.Batches:F1} per fsync); in memory: {memory.Count}");
Console.WriteLine($"{Environment.ProcessorCount} cores, {RuntimeInfo()}; load average (1 min): {LoadAverage()}");
return 0;

static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

static string RuntimeInfo() => $".NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";

internal static class Load
{
    /// <summary>Runs <paramref name="concurrency"/> callers over 4 channels for <paramref name="duration"/>.</summary>
    public static async Task<(long Calls, TimeSpan Elapsed)> ThroughputAsync(BenchServer server, int concurrency, TimeSpan duration)
    {
        var clients = Enumerable.Range(0, 4).Select(_ => server.Client()).ToArray();
        try
        {
            long calls = 0;
            var watch = Stopwatch.StartNew();
            var workers = Enumerable.Range(0, concurrency).Select(async w =>
            {
                var client = clients[w % clients.Length];
                while (watch.Elapsed < duration)
                {
                    await Sign(client);
                    Interlocked.Increment(ref calls);
                }
            }).ToArray();
            await Task.WhenAll(workers);
            return (calls, watch.Elapsed);
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
    }

    /// <summary>Median and p99 of one Sign at a time, in milliseconds.</summary>
    public static async Task<(double Median, double P99)> LatencyAsync(BenchServer server, int count)
    {
        using var client = server.Client();
        for (var i = 0; i < 50; i++) await Sign(client);
        var samples = new double[count];
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await Sign(client);
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(samples);
        return (samples[count / 2], samples[(int)(count * 0.99)]);
    }

    private static Task Sign(ApplianceClient client) =>
        client.SignAsync("GET", "/v1/orders/chance", [new("market", "KRW-BTC")]);
}
