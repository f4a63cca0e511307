using Appliance.Upbit;

namespace Appliance.Pipeline;

/// <summary>
/// How a request ended; each ends exactly one way, with one decision record and one metric.
/// Sent: the appliance sent it to Upbit (what Upbit answered follows in an outcome record).
/// Signed: a detached token left. Denied: refused with a reason. Failed: an error on our side.
/// </summary>
public enum Outcome { Sent, Signed, Denied, Failed }

/// <summary>The record of one decision. Holds no secret: the token appears only as its SHA-256.</summary>
public sealed record SignDecision(
    string AuditId,
    DateTimeOffset Time,
    Outcome Outcome,
    string? Reason,
    string Bot,
    string PeerAddress,
    string Credential,
    string Method,
    string Path,
    IReadOnlyList<UpbitParam> Params,
    string Approval,
    string? Nonce,
    string? TokenSha256)
{
    /// <summary>How long the request waited for a physical approval (zero when none was asked).</summary>
    public TimeSpan ApprovalWaited { get; init; }

    /// <summary>2 when a two-step approval (the button, then a touch) let it through; otherwise 1.</summary>
    public int ApprovalSteps { get; init; } = 1;

    /// <summary>The bot's request_id, when it sent one: the key that stops a second send.</summary>
    public string? RequestId { get; init; }

    /// <summary>The matched catalog endpoint ("GET /v1/accounts"); null when the request matched none.</summary>
    public Endpoint? Endpoint { get; init; }
}

/// <summary>What Upbit answered to a sent request: the second half of its audit (not awaited for durability).</summary>
public sealed record SendOutcome(
    string AuditId,
    DateTimeOffset Time,
    string Bot,
    int? HttpStatus,
    string? UpbitError,
    string? Uuid,
    string? Identifier,
    string? Failure);
