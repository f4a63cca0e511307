namespace Appliance.Pipeline;

/// <summary>Step 9 (account): sees every decision once, after the request ended. Must be quick and never throw.</summary>
public interface IDecisionObserver
{
    void Observe(SignDecision decision, TimeSpan elapsed);

    /// <summary>A peer that is not one of our bots was refused: counted, never named (no label, no text).</summary>
    void UnknownPeer() { }
}

/// <summary>The observers of every request, called explicitly in this order: metrics, alerts, the panel's activity LED, the log.</summary>
public sealed record DecisionObservers(IDecisionObserver Metrics, IDecisionObserver Alerts, IDecisionObserver Panel, IDecisionObserver Log)
{
    public static readonly IDecisionObserver Nobody = new NoObserver();

    public static DecisionObservers None { get; } = new(Nobody, Nobody, Nobody, Nobody);

    private sealed class NoObserver : IDecisionObserver
    {
        public void Observe(SignDecision decision, TimeSpan elapsed) { }
    }
}
