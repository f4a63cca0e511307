using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Appliance.Pipeline;

/// <summary>One counter increment and one latency sample per request, tagged by outcome.</summary>
public sealed class SignMetrics : IDisposable
{
    public const string MeterName = "Appliance";

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;

    public SignMetrics(IMeterFactory? factory = null)
    {
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        _requests = _meter.CreateCounter<long>("sign.requests", description: "Sign requests by outcome");
        _duration = _meter.CreateHistogram<double>("sign.duration", unit: "s", description: "Time to decide a sign request");
    }

    /// <summary>Raised once per signature, after its metric (the activity LED listens).</summary>
    public event Action? Signed;

    public void Record(SignDecision decision, TimeSpan elapsed)
    {
        var tags = new TagList
        {
            { "outcome", decision.Outcome.ToString().ToLowerInvariant() },
            { "reason", decision.Reason ?? "" },
            { "bot", decision.Bot },
            { "endpoint", $"{decision.Method} {decision.Path}" },
        };
        _requests.Add(1, tags);
        _duration.Record(elapsed.TotalSeconds, tags);
        if (decision.Outcome == Outcome.Signed) Signed?.Invoke();
    }

    public void Dispose() => _meter.Dispose();
}
