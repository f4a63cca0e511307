using System.Net;
using System.Security.Cryptography.X509Certificates;
using Appliance.Upbit;

namespace Appliance.Pipeline;

/// <summary>One signing request as the transport delivered it, before anything is trusted.</summary>
public sealed record SignCall(
    X509Certificate2? ClientCertificate,
    IPAddress PeerAddress,
    string Method,
    string Path,
    IReadOnlyList<UpbitParam> Params,
    string Credential,
    string RequestId,
    DateTimeOffset? ClientTime)
{
    /// <summary>When the caller gives up (its gRPC deadline); null: none given.</summary>
    public DateTimeOffset? Deadline { get; init; }
}

/// <summary>What the bot gets back: the header plus the exact request to send.</summary>
public sealed record SignResult(
    string Authorization,
    string UrlQuery,
    string BodyJson,
    string QueryString,
    string AuditId,
    string Approval)
{
    /// <summary>How long the request waited for a physical approval.</summary>
    public TimeSpan ApprovalWaited { get; init; }
}

/// <summary>How a request ended; each ends exactly one way, with one audit record and one metric.</summary>
public enum Outcome { Signed, Denied, Failed }

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
}
