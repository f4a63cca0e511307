using System.Diagnostics.Metrics;
using Appliance.Pipeline;
using Appliance.Upbit;

namespace Appliance.Metrics;

/// <summary>
/// State and approvals as metrics: token present, paused; approvals by mode and outcome and how long
/// they waited (fed from every decision by the audit sink).
/// </summary>
public sealed class ApplianceGauges
{
    private readonly Counter<long> _approvals;
    private readonly Histogram<double> _approvalWait;

    public ApplianceGauges(IMeterFactory meters, ApplianceState state)
    {
        var meter = meters.Create(RequestMetrics.MeterName);
        meter.CreateObservableGauge("token.present", () => state.TokenPresent ? 1 : 0, description: "1 while the hardware key is present");
        meter.CreateObservableGauge("paused", () => state.Paused ? 1 : 0, description: "1 while the operator has paused signing");
        _approvals = meter.CreateCounter<long>("approvals", description: "Requests that needed a physical approval, by mode and outcome");
        _approvalWait = meter.CreateHistogram<double>("approval.wait", unit: "s", description: "How long approvals waited");
    }

    public void Observe(SignDecision d)
    {
        var needed = d.Approval != "none" || d.ApprovalWaited > TimeSpan.Zero
            || d.Reason is Common.Reasons.ApprovalRejected or Common.Reasons.ApprovalTimeout or Common.Reasons.ApprovalUnavailable;
        if (!needed) return;
        var tags = new KeyValuePair<string, object?>[] { new("mode", d.Approval), new("outcome", d.Outcome.ToString().ToLowerInvariant()), new("reason", d.Reason ?? "") };
        _approvals.Add(1, tags);
        _approvalWait.Record(d.ApprovalWaited.TotalSeconds, tags);
    }
}
