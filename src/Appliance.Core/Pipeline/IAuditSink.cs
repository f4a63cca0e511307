using Appliance.Pipeline;

namespace Appliance.Pipeline;

/// <summary>
/// Where decisions are recorded. RecordAsync completes only when the record is durable; the
/// pipeline awaits it before a token leaves, and a throw stops the signature (fail closed).
/// </summary>
public interface IAuditSink
{
    ValueTask RecordAsync(SignDecision decision, CancellationToken cancellationToken);
}
