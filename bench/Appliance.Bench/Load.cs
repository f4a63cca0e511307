using System.Diagnostics;

namespace Appliance.Bench;

/// <summary>One kind of request, over a fixed set of open connections (each caller uses connection caller % count).</summary>
internal sealed class Target(string name, IReadOnlyList<Func<Task>> connections, IEnumerable<IDisposable> owners) : IDisposable
{
    public string Name { get; } = name;

    public Func<Task> For(int caller) => connections[caller % connections.Count];

    public void Dispose()
    {
        foreach (var owner in owners) owner.Dispose();
    }
}

/// <summary>Latencies in milliseconds, and how many calls failed.</summary>
internal sealed class Samples
{
    private readonly List<double> _ms = [];
    public long Failures;
    public long Calls;
    public TimeSpan Elapsed;

    /// <summary>CPU time of this whole process (clients, server, stand-in) while the samples were taken.</summary>
    public TimeSpan Cpu;

    /// <summary>Bytes this whole process allocated meanwhile.</summary>
    public long Allocated;

    public void Add(double ms)
    {
        lock (_ms) _ms.Add(ms);
    }

    public void AddRange(Samples other)
    {
        lock (_ms) _ms.AddRange(other.Sorted());
        Failures += other.Failures;
        Calls += other.Calls;
        Elapsed += other.Elapsed;
        Cpu += other.Cpu;
        Allocated += other.Allocated;
    }

    public int Count { get { lock (_ms) return _ms.Count; } }

    public double[] Sorted()
    {
        double[] copy;
        lock (_ms) copy = [.. _ms];
        Array.Sort(copy);
        return copy;
    }

    public double Percentile(double p)
    {
        var sorted = Sorted();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * p))];
    }

    public double Median => Percentile(0.5);
    public double P99 => Percentile(0.99);
    public double PerSecond => Calls / Elapsed.TotalSeconds;

    /// <summary>Process CPU milliseconds per successful call: robust to other load on the machine, unlike calls/s.</summary>
    public double CpuMsPerCall => Cpu.TotalMilliseconds / Calls;

    public double KbPerCall => Allocated / 1024.0 / Calls;
}

internal static class Load
{
    /// <summary>Closed loop: <paramref name="callers"/> callers, each sending its next request when the last is answered.</summary>
    public static async Task<Samples> ClosedAsync(Target target, int callers, TimeSpan duration)
    {
        var samples = new Samples();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes();
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async c =>
        {
            var call = target.For(c);
            await Task.Yield();
            while (watch.Elapsed < duration)
            {
                var start = Stopwatch.GetTimestamp();
                try
                {
                    await call();
                    samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    Interlocked.Increment(ref samples.Calls);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    if (Interlocked.Increment(ref samples.Failures) == 1) Console.Error.WriteLine($"  {target.Name}: {e.GetType().Name}: {e.Message}");
                }
            }
        }));
        samples.Elapsed = watch.Elapsed;
        samples.Cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        samples.Allocated = GC.GetTotalAllocatedBytes() - allocated;
        return samples;
    }

    /// <summary>
    /// Open loop: requests are due at a fixed rate whatever the answers do, and each latency is measured
    /// from its scheduled send time (so a stall counts against every request it delays, not only the first).
    /// </summary>
    public static async Task<Samples> OpenAsync(Target target, double perSecond, TimeSpan duration)
    {
        var samples = new Samples();
        var count = (int)(perSecond * duration.TotalSeconds);
        var inFlight = new List<Task>(count);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes();
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var due = start + (long)(i / perSecond * Stopwatch.Frequency);
            var wait = due - Stopwatch.GetTimestamp();
            if (wait > 0) await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
            inFlight.Add(One(target.For(i), due, samples, target.Name));
        }
        await Task.WhenAll(inFlight);
        samples.Elapsed = Stopwatch.GetElapsedTime(start);
        samples.Cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        samples.Allocated = GC.GetTotalAllocatedBytes() - allocated;
        return samples;

        static async Task One(Func<Task> call, long due, Samples samples, string name)
        {
            try
            {
                await call();
                samples.Add((Stopwatch.GetTimestamp() - due) * 1000.0 / Stopwatch.Frequency);
                Interlocked.Increment(ref samples.Calls);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                if (Interlocked.Increment(ref samples.Failures) == 1) Console.Error.WriteLine($"  {name}: {e.GetType().Name}: {e.Message}");
            }
        }
    }
}
