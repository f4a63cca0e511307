namespace Appliance.Bench;

/// <summary>
/// What the appliance adds to a request: the median and p99 of GET /v1/orders/chance through gRPC Send and
/// through the HTTPS front, minus the same request signed by the bot and sent straight to the stand-in
/// exchange, at 1 and 32 concurrent bots (closed loop) and at a fixed 50 req/s (open loop, from the
/// scheduled send time). All three run in alternating slices in one process.
/// Usage: dotnet run -c Release --project bench/Appliance.Bench -- overhead [--seconds 8] [--open-seconds 20] [--dir PATH]
/// </summary>
internal static class OverheadBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = Slices.Arg(args, "--seconds", 8.0);
        var openSeconds = Slices.Arg(args, "--open-seconds", 20.0);
        var root = Slices.FreshDir(Slices.Arg(args, "--dir", "bench-overhead"));
        Console.WriteLine($"machine: {Slices.Machine()}");

        await using var server = await BenchServer.StartAsync("appliance", root);
        const int bots = 32;
        using var direct = Targets.Direct(server, bots);
        using var send = Targets.Send(server, bots);
        using var front = Targets.Front(server, bots);
        Target[] targets = [direct, send, front];
        foreach (var t in targets) await Load.ClosedAsync(t, bots, TimeSpan.FromSeconds(1.5));

        Console.WriteLine();
        Console.WriteLine("| load | direct median / p99 | Send median / p99 | front median / p99 | Send overhead median / p99 | front overhead median / p99 | failures |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        var slices = Math.Max(2, (int)Math.Round(seconds));
        foreach (var callers in new[] { 1, 32 })
            Row($"{callers} {(callers == 1 ? "bot" : "bots")}, closed loop",
                await Slices.AlternateAsync(targets, slices, t => Load.ClosedAsync(t, callers, TimeSpan.FromSeconds(seconds / slices))));
        Row("50 req/s, open loop", await Slices.AlternateAsync(targets, Math.Max(1, (int)Math.Round(openSeconds / 5)),
            t => Load.OpenAsync(t, 50, TimeSpan.FromSeconds(Math.Min(5, openSeconds)))));
        Console.WriteLine();
        Console.WriteLine("overhead = the appliance's median (p99) minus the direct request's median (p99); goal ≤ 1 ms median, ≤ 3 ms p99 at 50 req/s");
        Console.WriteLine($"load average at the end: {Slices.LoadAverage()}");
        return 0;
    }

    private static void Row(string load, Dictionary<string, Samples> r)
    {
        var d = r["direct"];
        string Pair(Samples s) => $"{Slices.Ms(s.Median)} / {Slices.Ms(s.P99)} ms";
        string Over(Samples s) => $"{Slices.Ms(s.Median - d.Median)} / {Slices.Ms(s.P99 - d.P99)} ms";
        Console.WriteLine($"| {load} | {Pair(d)} | {Pair(r["Send"])} | {Pair(r["front"])} | {Over(r["Send"])} | {Over(r["front"])} | {r.Values.Sum(s => s.Failures)} |");
    }
}
