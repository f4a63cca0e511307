using System.Collections.Concurrent;
using Appliance.Audit;
using Appliance.Pipeline;

namespace Appliance.Bench;

/// <summary>The baseline: decisions kept in memory, nothing written, nothing fsync'd.</summary>
internal sealed class MemoryAuditSink : IAuditSink
{
    private readonly ConcurrentQueue<SignDecision> _decisions = new();

    public int Count => _decisions.Count;

    public ValueTask RecordAsync(SignDecision decision, CancellationToken cancellationToken)
    {
        _decisions.Enqueue(decision);
        return ValueTask.CompletedTask;
    }

    public void RecordOutcome(SendOutcome outcome) { }
}
