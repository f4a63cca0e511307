namespace Appliance.Pipeline;

/// <summary>
/// Where decisions are recorded. RecordAsync completes only when the record is durable; the pipeline
/// awaits it before a request or token leaves, and a throw stops it (fail closed).
/// </summary>
public interface IAuditSink
{
    ValueTask RecordAsync(SignDecision decision, CancellationToken cancellationToken);

    /// <summary>
    /// Appends what Upbit answered. Not awaited: the decision record alone already stops a second send,
    /// so the outcome becomes durable with the next group commit.
    /// </summary>
    void RecordOutcome(SendOutcome outcome);
}
