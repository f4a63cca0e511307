using System.Diagnostics;
using System.Diagnostics.Metrics;
using Appliance.Common;
using Appliance.Sealing;

namespace Appliance.Pipeline;

/// <summary>
/// One counter increment and one latency sample per request, by outcome, reason, bot and endpoint;
/// approvals by mode and outcome; refused unknown peers in one label-free counter. Labels come only
/// from the catalog, the reason codes and the bot registry, never from what a peer sent.
/// </summary>
public sealed class RequestMetrics : IDecisionObserver, IDisposable
{
    public const string MeterName = "Appliance";

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _approvals;
    private readonly Histogram<double> _approvalWait;
    private long _unknownPeers;

    public RequestMetrics(IMeterFactory? factory = null)
    {
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        _requests = _meter.CreateCounter<long>("sign.requests", description: "Requests by outcome (sent, signed, denied, failed)");
        _duration = _meter.CreateHistogram<double>("sign.duration", unit: "s", description: "Time from arrival to the end of a request");
        _approvals = _meter.CreateCounter<long>("approvals", description: "Requests that needed a physical approval, by mode and outcome");
        _approvalWait = _meter.CreateHistogram<double>("approval.wait", unit: "s", description: "How long approvals waited");
        // Observed, not added to: the series exists from the first scrape on, so refusals raise its value and never add a series.
        _meter.CreateObservableCounter("unknown.peer.refusals", () => Interlocked.Read(ref _unknownPeers),
            description: "Requests and TLS handshakes refused because the peer is not a known bot");
    }

    public void Observe(SignDecision decision, TimeSpan elapsed)
    {
        var tags = new TagList
        {
            { "outcome", Wire.Name(decision.Outcome) },
            { "reason", decision.Reason ?? "" },
            { "bot", decision.Bot },
            { "endpoint", decision.Endpoint?.ToString() ?? "unknown" },
        };
        _requests.Add(1, tags);
        _duration.Record(elapsed.TotalSeconds, tags);
        var asked = decision.Approval != Wire.Name(ApprovalMode.None) || decision.ApprovalWaited > TimeSpan.Zero
            || decision.Reason is Reasons.ApprovalRejected or Reasons.ApprovalTimeout or Reasons.ApprovalUnavailable or Reasons.ApprovalQueueFull;
        if (!asked) return;
        var approvalTags = new TagList { { "mode", decision.Approval }, { "outcome", Wire.Name(decision.Outcome) }, { "reason", decision.Reason ?? "" } };
        _approvals.Add(1, approvalTags);
        _approvalWait.Record(decision.ApprovalWaited.TotalSeconds, approvalTags);
    }

    public void UnknownPeer() => Interlocked.Increment(ref _unknownPeers);

    public void Dispose() => _meter.Dispose();
}
