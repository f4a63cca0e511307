using Appliance.Signing;
using Microsoft.Extensions.Logging;

namespace Appliance.Audit;

/// <summary>
/// Decisions written to the process log (journald on the Pi). Not tamper-evident: the hash-chained
/// file log replaces it as the durable record. Never logs a token, only its hash.
/// </summary>
public sealed class LogAuditSink(ILogger<LogAuditSink> logger) : IAuditSink
{
    public ValueTask RecordAsync(SignDecision d, CancellationToken cancellationToken)
    {
        logger.LogInformation(
            "audit {AuditId} {Outcome} reason={Reason} bot={Bot} peer={Peer} credential={Credential} {Method} {Path} approval={Approval} waited_ms={WaitedMs} nonce={Nonce} token_sha256={TokenHash}",
            d.AuditId, d.Outcome.ToString().ToLowerInvariant(), d.Reason ?? "-", d.Bot, d.PeerAddress, d.Credential,
            d.Method, d.Path, d.Approval, (long)d.ApprovalWaited.TotalMilliseconds, d.Nonce ?? "-", d.TokenSha256 ?? "-");
        return ValueTask.CompletedTask;
    }
}
