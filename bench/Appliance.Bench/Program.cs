using System.Globalization;
using Appliance.Bench;

// Benchmarks of the request path (numbers, not tests; docs/benchmarks.md has the commands and results).
//   (no subcommand)  Send throughput with the fsync'd FileAuditLog vs an in-memory audit sink, alternating slices.
//   throughput       Send and Sign vs a bare gRPC echo on the same Kestrel + mTLS (1, 32, 128 callers; open loop).
//   overhead         Send and the HTTPS front minus the same request sent straight to the stand-in exchange.
//   process          the real `appliance demo` process: start to first Send, RSS after load.
//   soak             N bots with their own certificates, mixed endpoints, RSS sampled over time (CSV + PNG).
//   kept             bytes per never-twice id and per owned order kept after the answer window.
//   rotation, start  audit segment rotation; verifying from the last checkpoint at start.
//   --floors N       reading policy floors back from an N-record audit log (FloorsBench).
// Usage: dotnet run -c Release --project bench/Appliance.Bench -- [SUBCOMMAND] [options]
Appliance.Server.ThreadPoolSetup.Widen(); // as the appliance does at process start
if (args is ["rotation", ..]) return await RotationBench.RunAsync(args[1..]);
if (args is ["start", ..]) return await StartBench.RunAsync(args[1..]);
if (args is ["throughput", ..]) return await ThroughputBench.RunAsync(args[1..]);
if (args is ["overhead", ..]) return await OverheadBench.RunAsync(args[1..]);
if (args is ["process", ..]) return await ProcessBench.RunAsync(args[1..]);
if (args is ["soak", ..]) return await SoakBench.RunAsync(args[1..]);
if (args is ["kept", ..]) return await KeptMemoryBench.RunAsync(args[1..]);
if (args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal))
{
    Console.Error.WriteLine($"unknown benchmark '{args[0]}'; use throughput, overhead, process, soak, kept, rotation, start, or none (audit sinks)");
    return 2;
}

if (Array.IndexOf(args, "--floors") >= 0)
    return await FloorsBench.RunAsync((int)Slices.Arg(args, "--floors", 0), Slices.FreshDir(Slices.Arg(args, "--dir", "bench-data")));

var seconds = Slices.Arg(args, "--seconds", 8.0);
var concurrency = (int)Slices.Arg(args, "--concurrency", 32);
var root = Slices.FreshDir(Slices.Arg(args, "--dir", "bench-data"));
Console.WriteLine($"data under {root} (the FileAuditLog fsyncs there: put it on the disk you care about)");

var memory = new MemoryAuditSink();
await using var memServer = await BenchServer.StartAsync("memory", root, memory);
await using var fileServer = await BenchServer.StartAsync("file", root, null);
using var memSend = Targets.Send(memServer, BenchServer.SendBots);
using var fileSend = Targets.Send(fileServer, BenchServer.SendBots);
var targets = new[] { new Target("memory", [.. Enumerable.Range(0, BenchServer.SendBots).Select(memSend.For)], []),
                      new Target("file", [.. Enumerable.Range(0, BenchServer.SendBots).Select(fileSend.For)], []) };
for (var w = 0; w < 2; w++)
    foreach (var t in targets) await Load.ClosedAsync(t, concurrency, TimeSpan.FromSeconds(1.5));

var slices = Math.Max(2, (int)Math.Round(seconds));
var totals = await Slices.AlternateAsync(targets, slices, t => Load.ClosedAsync(t, concurrency, TimeSpan.FromSeconds(seconds / slices)));
var single = await Slices.AlternateAsync(targets, 8, t => Load.ClosedAsync(t, 1, TimeSpan.FromSeconds(1)));

var log = fileServer.Server.AuditLog!;
Console.WriteLine();
Console.WriteLine($"| audit sink | Sends/s ({concurrency} concurrent) | median latency, 1 at a time | p99 |");
Console.WriteLine("|---|---|---|---|");
foreach (var t in targets)
    Console.WriteLine($"| {t.Name} | {totals[t.Name].PerSecond:F0} | {Slices.Ms(single[t.Name].Median)} ms | {Slices.Ms(single[t.Name].P99)} ms |");
var ratio = totals["file"].PerSecond / totals["memory"].PerSecond;
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"durable/in-memory throughput ratio: {ratio:F2} (cost of durable audit: {(1 - ratio) * 100:F0} %; goal ≤ 30 %)"));
Console.WriteLine($"records in the file log: {log.Head.Seq} in {log.Batches} fsync'd batches ({(double)log.Head.Seq / log.Batches:F1} per fsync); in memory: {memory.Count}");
Console.WriteLine($"machine: {Slices.Machine()}");
return 0;
