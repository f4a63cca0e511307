using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Appliance.Config;

namespace Appliance.Bench;

/// <summary>
/// Soak and load: N bots (their own certificates, enrolled as `bots add --out` does) against the real
/// `appliance demo` process and a stand-in exchange, mixed endpoints at a fixed total rate for a given time.
/// Every --sample seconds: the appliance's RSS and peak RSS, requests and errors in the window, latency,
/// load average; one CSV line each (written as it goes) and a PNG of RSS over time at the end.
/// Usage: dotnet run -c Release --project bench/Appliance.Bench -- soak [--bots 50] [--minutes 60] [--rate 250]
///        [--sample 10] [--csv docs/soak.csv] [--png docs/soak-rss.png] [--dir PATH] [--env NAME=VALUE]...
/// --env sets a variable for the appliance process only (e.g. DOTNET_GCConserveMemory=7 for a GC A/B).
/// </summary>
internal static class SoakBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var bots = (int)Slices.Arg(args, "--bots", 50);
        var minutes = Slices.Arg(args, "--minutes", 60.0);
        var rate = Slices.Arg(args, "--rate", 250.0);
        var sample = TimeSpan.FromSeconds(Slices.Arg(args, "--sample", 10.0));
        var csv = Path.GetFullPath(Slices.Arg(args, "--csv", "soak.csv"));
        var png = Path.GetFullPath(Slices.Arg(args, "--png", "soak-rss.png"));
        var root = Slices.FreshDir(Slices.Arg(args, "--dir", "bench-soak"));
        var environment = args.Zip(args.Skip(1)).Where(p => p.First == "--env" && p.Second.Contains('='))
            .Select(p => p.Second.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        Console.WriteLine($"machine: {Slices.Machine()}");
        Console.WriteLine($"{bots} bots, {rate:F0} req/s in all for {minutes:F1} min; sampling every {sample.TotalSeconds:F0} s into {csv}");
        if (environment.Count > 0) Console.WriteLine($"appliance environment: {string.Join(' ', environment.Select(e => $"{e.Key}={e.Value}"))}");

        await using var exchange = await BenchProcess.StartExchangeAsync();
        var data = new DataDir(Path.Combine(root, "data"));
        var perBot = rate / bots;
        var bundles = BenchProcess.Prepare(data, bots, Math.Max(5, perBot * 4));
        using var appliance = BenchProcess.Start(data, exchange.BaseAddress, environment);
        await appliance.Listening.WaitAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(1000); // the registry has loaded every bot

        var errors = new ConcurrentDictionary<string, long>();
        var window = new Samples();
        long total = 0, failed = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(minutes));
        var (rss0, peak0) = appliance.Memory(); // idle, before the first request
        var clock = Stopwatch.StartNew();
        var workers = bundles.Select((bundle, i) => Task.Run(async () =>
        {
            using var bot = new SoakBot(bundle, appliance.Address, viaFront: i % 2 == 1);
            var phase = i / rate; // spread the bots over one period
            for (var step = 0; !stop.IsCancellationRequested; step++)
            {
                var due = TimeSpan.FromSeconds(phase + step / perBot);
                if (due > clock.Elapsed)
                {
                    try { await Task.Delay(due - clock.Elapsed, stop.Token); }
                    catch (OperationCanceledException) { break; }
                }
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await bot.StepAsync(step, CancellationToken.None);
                    window.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    Interlocked.Increment(ref failed);
                    var key = e is SoakError ? e.Message : $"{SoakBot.Steps[step % SoakBot.Steps.Length]}: {e.GetType().Name}: {e.Message.Split('\n')[0]}";
                    if (errors.AddOrUpdate(key, 1, (_, n) => n + 1) == 1) Console.Error.WriteLine($"  first of its kind: {key}");
                    if (SoakBot.Steps[step % SoakBot.Steps.Length] == "create") step += 2; // no order to look up or cancel
                }
                Interlocked.Increment(ref total);
            }
        })).ToArray();

        await using (var writer = new StreamWriter(csv))
        {
            await writer.WriteLineAsync("elapsed_s,rss_mb,peak_rss_mb,requests,requests_per_s,errors_total,median_ms,p99_ms,load_1min");
            var points = new List<(double Minutes, double Rss, double Peak)>();
            points.Add((0, rss0, peak0));
            await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"0,{rss0:F1},{peak0:F1},0,0,0,,,{Slices.LoadAverage().Split(' ')[0]}"));
            long lastTotal = 0;
            while (!stop.IsCancellationRequested)
            {
                try { await Task.Delay(sample, stop.Token); }
                catch (OperationCanceledException) { }
                var (rss, peak) = appliance.Memory();
                var now = Interlocked.Read(ref total);
                var w = window;
                window = new Samples();
                var line = string.Create(CultureInfo.InvariantCulture,
                    $"{clock.Elapsed.TotalSeconds:F0},{rss:F1},{peak:F1},{now},{(now - lastTotal) / sample.TotalSeconds:F1},{Interlocked.Read(ref failed)},{w.Median:F2},{w.P99:F2},{Slices.LoadAverage().Split(' ')[0]}");
                lastTotal = now;
                await writer.WriteLineAsync(line);
                await writer.FlushAsync();
                Console.WriteLine(line);
                points.Add((clock.Elapsed.TotalMinutes, rss, peak));
            }
            await Task.WhenAll(workers);
            RssPlot.Save(png, points, $"appliance RSS: {bots} bots, {rate:F0} req/s, mixed endpoints");
        }
        Console.WriteLine();
        Console.WriteLine($"{total} requests in {clock.Elapsed.TotalMinutes:F1} min ({total / clock.Elapsed.TotalSeconds:F0}/s); unexpected errors: {failed}");
        foreach (var (kind, count) in errors.OrderByDescending(e => e.Value)) Console.WriteLine($"  {count} × {kind}");
        Console.WriteLine($"orders the stand-in accepted: {exchange.Accepted.Count(a => a.Method == "POST")}; load average at the end: {Slices.LoadAverage()}");
        Console.WriteLine($"wrote {csv} and {png}");
        return failed == 0 ? 0 : 1;
    }
}
