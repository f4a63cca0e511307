using Appliance.Pipeline;
using Appliance.Upbit;
using Appliance.Alerts;
using Appliance.Sealing;

namespace Appliance.Audit;

/// <summary>What a record is about. The wire names are lower case (<see cref="AuditKinds.ToWire"/>).</summary>
public enum AuditKind
{
    Decision, Outcome, Alert, Token, Truncation, Checkpoint, Start, Stop, Retention,

    /// <summary>A policy record reached a version (an anchor) or the floors of all records (a snapshot): PolicyAnchorLog.</summary>
    Policy,

    /// <summary>A token key event: a recovery key enrolled, or the data dir moved to a new primary token (AuditKeyEvents).</summary>
    Key,
}

public static class AuditKinds
{
    public static string ToWire(this AuditKind kind) => Common.Wire.Name(kind);

    public static AuditKind Parse(string wire) =>
        Common.Wire.TryParse<AuditKind>(wire, out var kind)
            ? kind
            : throw new FormatException($"unknown record kind '{wire}'");
}

/// <summary>A checkpoint: the hash of record <see cref="Seq"/> signed with the token's audit key (r || s, base64).</summary>
public sealed record AuditCheckpoint(long Seq, string Hash, string Key, string Signature);

/// <summary>
/// The content of one audit record, before the log gives it a sequence number and chains it.
/// Holds no secret: a token appears only as its SHA-256. Absent fields are null and are not written.
/// </summary>
public sealed record AuditEntry
{
    /// <summary>Longest parameter value kept for a request that was not signed (signed ones are already bounded).</summary>
    public const int MaxUnsignedValueLength = 256;

    public required AuditKind Kind { get; init; }
    public required DateTimeOffset Time { get; init; }
    public string? AuditId { get; init; }
    public string? Bot { get; init; }
    public string? Peer { get; init; }
    public string? Credential { get; init; }
    public string? Method { get; init; }
    public string? Path { get; init; }
    public IReadOnlyList<UpbitParam>? Params { get; init; }

    /// <summary>"signed", "denied" or "failed".</summary>
    public string? Decision { get; init; }
    public string? Reason { get; init; }
    public string? ApprovalMode { get; init; }
    public long? ApprovalWaitedMs { get; init; }

    /// <summary>2 for a two-step approval (button, then touch); null otherwise (and in records from before two-step).</summary>
    public int? ApprovalSteps { get; init; }
    public string? Nonce { get; init; }
    public string? TokenSha256 { get; init; }

    /// <summary>The bot's request_id (decisions), the key that stops a second send.</summary>
    public string? RequestId { get; init; }

    /// <summary>Outcome records: what Upbit answered (status, its error name, the uuid created), or why nothing came back.</summary>
    public int? HttpStatus { get; init; }
    public string? UpbitError { get; init; }
    public string? Uuid { get; init; }
    public string? Identifier { get; init; }

    /// <summary>A sentence for alert, token, truncation, start, stop and retention records.</summary>
    public string? Detail { get; init; }
    public AuditCheckpoint? Checkpoint { get; init; }

    public static AuditEntry FromDecision(SignDecision d)
    {
        var signed = d.Outcome is Outcome.Signed or Outcome.Sent;
        return new AuditEntry
        {
            Kind = AuditKind.Decision,
            Time = d.Time,
            AuditId = d.AuditId,
            Bot = d.Bot,
            Peer = d.PeerAddress,
            Credential = d.Credential,
            Method = Bound(d.Method, signed),
            Path = Bound(d.Path, signed),
            // A refused request can carry anything; keep enough to see what it was, not a flood.
            Params = signed ? d.Params : d.Params.Take(64).Select(p => new UpbitParam(Bound(p.Key, false), Bound(p.Value, false))).ToList(),
            Decision = Common.Wire.Name(d.Outcome),
            Reason = d.Reason,
            ApprovalMode = d.Approval,
            ApprovalWaitedMs = (long)d.ApprovalWaited.TotalMilliseconds,
            ApprovalSteps = d.ApprovalSteps > 1 ? d.ApprovalSteps : null,
            Nonce = d.Nonce,
            TokenSha256 = d.TokenSha256,
            RequestId = d.RequestId is null ? null : Bound(d.RequestId, signed),
        };
    }

    public static AuditEntry FromOutcome(SendOutcome o) => new()
    {
        Kind = AuditKind.Outcome,
        Time = o.Time,
        AuditId = o.AuditId,
        Bot = o.Bot,
        HttpStatus = o.HttpStatus,
        UpbitError = o.UpbitError,
        Uuid = o.Uuid,
        Identifier = o.Identifier,
        Reason = o.Failure,
    };

    public static AuditEntry Note(AuditKind kind, DateTimeOffset time, string detail) =>
        new() { Kind = kind, Time = time, Detail = detail };

    private static string Bound(string value, bool signed) =>
        signed || value.Length <= MaxUnsignedValueLength ? value : value[..MaxUnsignedValueLength] + "…";
}

/// <summary>A record as stored: the entry, its place in the chain and its own hash (lower-case hex SHA-256).</summary>
public sealed record AuditRecord(long Seq, AuditEntry Entry, string Prev, string Hash)
{
    /// <summary>The prev of record 1.</summary>
    public static readonly string Genesis = new('0', 64);
}
