using System.Diagnostics;
using Appliance.Client;
using Appliance.Config;
using Grpc.Core;

namespace Appliance.Bench;

/// <summary>
/// The real process: time from starting `appliance demo` to its first successful Send (against the time
/// `appliance --help` takes, the runtime's own start, in the same run), then RSS idle, and RSS and peak RSS
/// after load (Send closed loop at 32 callers, then an open loop at --rate).
/// Usage: dotnet run -c Release --project bench/Appliance.Bench -- process [--repeat 5] [--seconds 20] [--rate 100] [--dir PATH]
/// </summary>
internal static class ProcessBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var repeat = (int)Slices.Arg(args, "--repeat", 5);
        var seconds = Slices.Arg(args, "--seconds", 20.0);
        var rate = Slices.Arg(args, "--rate", 100.0);
        var root = Slices.FreshDir(Slices.Arg(args, "--dir", "bench-process"));
        Console.WriteLine($"machine: {Slices.Machine()}");
        Console.WriteLine($"appliance: {BenchProcess.FindApplianceDll()}");
        await using var exchange = await BenchProcess.StartExchangeAsync();

        var help = new List<double>();
        for (var r = 0; r < repeat; r++)
        {
            var started = Stopwatch.GetTimestamp();
            using var p = Process.Start(new ProcessStartInfo("dotnet", [BenchProcess.FindApplianceDll(), "--help"]) { RedirectStandardOutput = true })!;
            await p.StandardOutput.ReadToEndAsync();
            await p.WaitForExitAsync();
            help.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        var ready = new List<(double Listening, double FirstSend)>();
        BenchProcess? last = null;
        IReadOnlyList<string> bundles = [];
        var waits = new HashSet<string>();
        for (var r = 0; r < repeat; r++)
        {
            waits.Clear();
            var data = new DataDir(Path.Combine(root, $"run-{r}", "data"));
            bundles = BenchProcess.Prepare(data, 32, 1000);
            var p = BenchProcess.Start(data, exchange.BaseAddress);
            using var client = new ApplianceClient(ApplianceBundle.Load(bundles[0]), TimeProvider.System, p.Address);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                try
                {
                    var answer = await client.SendAsync("GET", "/v1/accounts", [], deadline: DateTime.UtcNow.AddSeconds(60));
                    if (answer.HttpStatus == 200) break;
                    throw new InvalidOperationException($"first Send answered {answer.HttpStatus}");
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && DateTime.UtcNow < deadline)
                {
                    var what = e.Status.DebugException is null ? e.Status.Detail : "no connection yet";
                    if (waits.Add(what)) Console.WriteLine($"  run {r}: at {Stopwatch.GetElapsedTime(p.StartedAt).TotalMilliseconds:F0} ms: UNAVAILABLE {what}");
                    await Task.Delay(5);
                }
            }
            var firstSend = Stopwatch.GetElapsedTime(p.StartedAt).TotalMilliseconds;
            await p.Listening.WaitAsync(TimeSpan.FromSeconds(5));
            ready.Add(((p.ListeningAt - p.StartedAt) * 1000.0 / Stopwatch.Frequency, firstSend));
            if (r < repeat - 1) p.Dispose();
            else last = p;
        }
        Console.WriteLine();
        Console.WriteLine("| start (ms) | `appliance --help` (runtime start) | process start → \"listening on\" | process start → first successful Send | Send ÷ --help |");
        Console.WriteLine("|---|---|---|---|---|");
        Console.WriteLine($"| median of {repeat} | {Median(help):F0} | {Median(ready.Select(x => x.Listening)):F0} | {Median(ready.Select(x => x.FirstSend)):F0} | {Median(ready.Select(x => x.FirstSend)) / Median(help):F1}× |");
        Console.WriteLine($"| each run | {string.Join(", ", help.Select(h => h.ToString("F0")))} | {string.Join(", ", ready.Select(x => x.Listening.ToString("F0")))} | {string.Join(", ", ready.Select(x => x.FirstSend.ToString("F0")))} | |");

        using (last)
        {
            await Task.Delay(2000);
            var idle = last!.Memory();
            var clients = bundles.Select(b => new ApplianceClient(ApplianceBundle.Load(b), TimeProvider.System, last.Address)).ToArray();
            using var send = new Target("Send", [.. clients.Select(c => (Func<Task>)(async () =>
            {
                var answer = await c.SendAsync("GET", Targets.Path, [new("market", "KRW-BTC")]);
                if (answer.HttpStatus != 200) throw new InvalidOperationException($"Send answered {answer.HttpStatus}");
            }))], clients);
            var closed = await Load.ClosedAsync(send, 32, TimeSpan.FromSeconds(seconds));
            var afterClosed = last.Memory();
            var open = await Load.OpenAsync(send, rate, TimeSpan.FromSeconds(seconds));
            var after = last.Memory();
            Console.WriteLine();
            Console.WriteLine("| appliance process | RSS | peak RSS (VmHWM) |");
            Console.WriteLine("|---|---|---|");
            Console.WriteLine($"| idle after start and first Send | {idle.Rss:F0} MB | {idle.Peak:F0} MB |");
            Console.WriteLine($"| after {seconds:F0} s of Send at 32 callers ({closed.PerSecond:F0}/s, {closed.Failures} failures) | {afterClosed.Rss:F0} MB | {afterClosed.Peak:F0} MB |");
            Console.WriteLine($"| after {seconds:F0} s open loop at {rate:F0}/s (median {Slices.Ms(open.Median)} ms, p99 {Slices.Ms(open.P99)} ms, {open.Failures} failures) | {after.Rss:F0} MB | {after.Peak:F0} MB |");
        }
        Console.WriteLine($"load average at the end: {Slices.LoadAverage()}");
        return 0;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
