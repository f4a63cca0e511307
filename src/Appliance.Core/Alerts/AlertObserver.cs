using Appliance.Pipeline;

namespace Appliance.Alerts;

/// <summary>The alert rules as the pipeline's second observer: each decision is judged, each alert raised.</summary>
public sealed class AlertObserver(AlertRules rules, AlertDispatcher alerts) : IDecisionObserver
{
    public void Observe(SignDecision decision, TimeSpan elapsed)
    {
        foreach (var alert in rules.Observe(decision)) alerts.Raise(alert);
    }

    public void UnknownPeer()
    {
        if (rules.ObserveUnknownPeer() is { } alert) alerts.Raise(alert);
    }
}
