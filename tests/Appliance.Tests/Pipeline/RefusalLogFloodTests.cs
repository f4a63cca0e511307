using System.Collections.Concurrent;
using Appliance.Common;
using Appliance.Policy;
using Appliance.Provisioning;
using Appliance.Tests.EndToEnd;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Appliance.Tests.Pipeline;

/// <summary>
/// A bot over its rate for 2 s writes a bounded number of log lines: RefusalLog's one line per (bot, reason) and
/// window, and no per-call line from Grpc.AspNetCore.Server.ServerCallHandler or ASP.NET (filtered at Warning).
/// The server's own logging configuration is under test; only the sink is the test's.
/// </summary>
public sealed class RefusalLogFloodTests
{
    private const int MaxLines = 5;

    [Fact]
    public async Task A_bot_over_its_rate_for_two_seconds_writes_a_bounded_number_of_log_lines()
    {
        var lines = new ConcurrentQueue<string>();
        var capture = new CaptureProvider(lines);
        await using var appliance = await TestAppliance.StartAsync(
            s => s with { Logging = l => l.AddProvider(capture) },
            prepare: data =>
            {
                // Lowering a rate narrows power: the policy records it without a new signature.
                new BotEnrollment(data, TimeProvider.System, anchorLater: true).Update(DemoSetup.BotName, p => p with { RatePerSecond = 2, Burst = 2 });
            });
        using var client = appliance.Client();
        await client.SendAsync("GET", "/v1/accounts", []); // connection and JIT warm, so the 2 s are all flood
        await Task.Delay(200);
        lines.Clear(); // start-up lines are not the flood's

        var refused = 0;
        var sent = 0;
        // At least 2 s over the rate, and enough calls to tell a bound from a line per refusal (a loaded box is slow).
        var start = DateTime.UtcNow;
        bool Flooding() => DateTime.UtcNow - start < TimeSpan.FromSeconds(30)
            && (DateTime.UtcNow - start < TimeSpan.FromSeconds(2) || Volatile.Read(ref refused) < 10 * MaxLines);
        await Parallel.ForAsync(0, 8, async (_, ct) =>
        {
            while (Flooding())
            {
                try { await client.SendAsync("GET", "/v1/accounts", [], cancellationToken: ct); Interlocked.Increment(ref sent); }
                catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted) { Interlocked.Increment(ref refused); }
            }
        });
        await Task.Delay(200);

        Assert.True(refused >= 10 * MaxLines, $"only {refused} requests were refused RATE_LIMITED ({sent} sent); the flood did not happen");
        var flood = lines.ToList();
        Assert.True(flood.Count <= MaxLines, $"{refused} refusals wrote {flood.Count} log lines:\n" + string.Join('\n', flood.Take(20)));
        Assert.Contains(flood, l => l.Contains(Reasons.RateLimited, StringComparison.Ordinal) && l.Contains(DemoSetup.BotName, StringComparison.Ordinal));
        Assert.DoesNotContain(flood, l => l.StartsWith("Grpc.AspNetCore.Server", StringComparison.Ordinal));
    }

    private sealed class CaptureProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string category) => new Capture(category, lines);
        public void Dispose() { }
    }

    private sealed class Capture(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel level) => true;
        public void Log<TState>(LogLevel level, EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{category} {level}: {formatter(state, exception)}");
    }
}
