using Appliance.Alerts;
using Appliance.Pipeline;

namespace Appliance.Server;

/// <summary>The audit sink the pipeline sees: records the decision, then runs the rules and the approval metrics over it.</summary>
public sealed class AlertingAuditSink(IAuditSink inner, AlertRules rules, AlertDispatcher alerts, Metrics.ApplianceGauges? gauges = null) : IAuditSink
{
    public async ValueTask RecordAsync(SignDecision decision, CancellationToken cancellationToken)
    {
        try
        {
            await inner.RecordAsync(decision, cancellationToken);
        }
        finally
        {
            gauges?.Observe(decision);
            foreach (var alert in rules.Observe(decision)) alerts.Raise(alert);
        }
    }
}
