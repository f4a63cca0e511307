using System.Diagnostics.Metrics;
using Appliance.Pipeline;
using Appliance.Upbit;

namespace Appliance.Tests.Approval;

/// <summary>
/// Watches the appliance's real sign metric (one sample per request, tagged with outcome, reason,
/// bot and endpoint) for one bot, so a test can say exactly what was signed and what was refused.
/// The metric is process-wide; tests use a bot name of their own.
/// </summary>
public sealed class SignRecords : IDisposable
{
    public sealed record Record(string Outcome, string Reason, string Endpoint);

    private readonly MeterListener _listener = new();
    private readonly Lock _lock = new();
    private readonly List<Record> _records = [];

    public SignRecords(string bot)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == RequestMetrics.MeterName && instrument.Name == "sign.requests")
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            var byKey = new Dictionary<string, string?>();
            foreach (var t in tags) byKey[t.Key] = t.Value as string;
            string Tag(string key) => byKey.GetValueOrDefault(key) ?? "";
            if (Tag("bot") != bot) return;
            lock (_lock) _records.Add(new Record(Tag("outcome"), Tag("reason"), Tag("endpoint")));
        });
        _listener.Start();
    }

    public IReadOnlyList<Record> All { get { lock (_lock) return [.. _records]; } }

    /// <summary>The requests that left: sent to Upbit (or, for a detached bot, signed).</summary>
    public IReadOnlyList<Record> Signed => All.Where(r => r.Outcome is "sent" or "signed").ToList();

    /// <summary>Waits until <paramref name="count"/> requests have been decided (the server records after answering some).</summary>
    public async Task<IReadOnlyList<Record>> WaitFor(int count)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (All.Count < count)
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"Only {All.Count} of {count} sign requests were recorded.");
            await Task.Delay(5);
        }
        return All;
    }

    public void Dispose() => _listener.Dispose();
}
