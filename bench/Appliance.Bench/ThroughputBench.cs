namespace Appliance.Bench;

/// <summary>
/// Send and Sign throughput as a ratio to a bare gRPC echo on the same Kestrel + mTLS setup (same message
/// sizes), at 1, 32 and 128 callers, in one run with alternating slices; then an open loop at a fixed rate,
/// latency measured from each request's scheduled send time. The audit log is the production, fsync'd one.
/// Usage: dotnet run -c Release --project bench/Appliance.Bench -- throughput [--seconds 6] [--rates 100,500] [--open-seconds 15] [--dir PATH]
/// --seconds is the measured time per target and caller count; --open-seconds per target in the open loop.
/// </summary>
internal static class ThroughputBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = Slices.Arg(args, "--seconds", 6.0);
        var rates = Slices.Arg(args, "--rates", "100,500").Split(',').Select(r => double.Parse(r, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var openSeconds = Slices.Arg(args, "--open-seconds", 15.0);
        var root = Slices.FreshDir(Slices.Arg(args, "--dir", "bench-throughput"));
        Console.WriteLine($"machine: {Slices.Machine()}");

        await using var server = await BenchServer.StartAsync("appliance", root);
        using (var probe = server.Client(BenchServer.SendBot(0)))
        {
            var answer = await probe.SendAsync("GET", Targets.Path, [new("market", "KRW-BTC")]);
            await using var echo = await EchoServer.StartAsync(server, answer);
            Console.WriteLine($"request {Targets.Request().CalculateSize()} bytes, answer {answer.CalculateSize()} bytes (the echo answers the same)");
            using var echoTarget = Targets.Echo(server, echo, BenchServer.SendBots);
            using var send = Targets.Send(server, BenchServer.SendBots);
            using var sign = Targets.Sign(server, BenchServer.SignBots);
            Target[] targets = [echoTarget, send, sign];
            foreach (var t in targets) await Load.ClosedAsync(t, 32, TimeSpan.FromSeconds(1.5)); // JIT, TLS, pools

            Console.WriteLine();
            Console.WriteLine("| callers | echo calls/s | Send calls/s | Send ÷ echo | Sign calls/s | Sign ÷ echo | median echo / Send / Sign | CPU ms per call echo / Send / Sign | KB allocated per call echo / Send / Sign | failures |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
            foreach (var callers in new[] { 1, 32, 128 })
            {
                var slices = Math.Max(2, (int)Math.Round(seconds));
                var r = await Slices.AlternateAsync(targets, slices, t => Load.ClosedAsync(t, callers, TimeSpan.FromSeconds(seconds / slices)));
                var e = r["echo"].PerSecond;
                Console.WriteLine($"| {callers} | {e:F0} | {r["Send"].PerSecond:F0} | {r["Send"].PerSecond / e:F2}× | {r["Sign"].PerSecond:F0} | {r["Sign"].PerSecond / e:F2}× | " +
                    $"{Slices.Ms(r["echo"].Median)} / {Slices.Ms(r["Send"].Median)} / {Slices.Ms(r["Sign"].Median)} ms | " +
                    $"{Slices.Ms(r["echo"].CpuMsPerCall)} / {Slices.Ms(r["Send"].CpuMsPerCall)} / {Slices.Ms(r["Sign"].CpuMsPerCall)} | " +
                    $"{r["echo"].KbPerCall:F1} / {r["Send"].KbPerCall:F1} / {r["Sign"].KbPerCall:F1} | {r.Values.Sum(s => s.Failures)} |");
            }

            foreach (var rate in rates)
            {
                Console.WriteLine();
                Console.WriteLine($"open loop at {rate:F0} req/s, {openSeconds:F0} s per target in 5 s slices, latency from the scheduled send time:");
                Console.WriteLine("| target | median | p99 | p99.9 | max | failures |");
                Console.WriteLine("|---|---|---|---|---|---|");
                var open = await Slices.AlternateAsync(targets, Math.Max(1, (int)Math.Round(openSeconds / 5)),
                    t => Load.OpenAsync(t, rate, TimeSpan.FromSeconds(Math.Min(5, openSeconds))));
                foreach (var t in targets)
                {
                    var s = open[t.Name];
                    Console.WriteLine($"| {t.Name} | {Slices.Ms(s.Median)} ms | {Slices.Ms(s.P99)} ms | {Slices.Ms(s.Percentile(0.999))} ms | {Slices.Ms(s.Percentile(1))} ms | {s.Failures} |");
                }
            }
        }
        var log = server.Server.AuditLog!;
        Console.WriteLine();
        Console.WriteLine($"audit: {log.Head.Seq} records in {log.Batches} fsync'd batches ({(double)log.Head.Seq / log.Batches:F1} per fsync)");
        Console.WriteLine($"load average at the end: {Slices.LoadAverage()}");
        return 0;
    }
}
