using System.Net;
using System.Security.Cryptography.X509Certificates;
using Appliance.Common;
using Appliance.Upbit;

namespace Appliance.Pipeline;

/// <summary>What the bot asked for: the appliance sends it (Send), or hands out a detached token (Sign, SignWebSocket).</summary>
public enum CallKind { Send, Sign, SignWebSocket }

/// <summary>One request as the transport (gRPC or the HTTPS front) delivered it, before anything is trusted.</summary>
public sealed record BotCall(
    X509Certificate2? ClientCertificate,
    IPAddress PeerAddress,
    CallKind Kind,
    string Method,
    string Path,
    IReadOnlyList<UpbitParam> Params,
    string Credential,
    string? RequestId,
    DateTimeOffset? ClientTime)
{
    /// <summary>When the caller gives up (its gRPC deadline); null: none given.</summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>Why the transport could not read the request (HTTPS front); refused once the bot is identified.</summary>
    public SignRefusal? Malformed { get; init; }
}

/// <summary>A detached token (Sign, SignWebSocket): the header plus the exact request to send.</summary>
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

/// <summary>Upbit's answer to a request the appliance sent, as received.</summary>
public sealed record SendResult(
    int HttpStatus,
    ReadOnlyMemory<byte> Body,
    IReadOnlyDictionary<string, string> Headers,
    string AuditId,
    string Approval)
{
    public TimeSpan ApprovalWaited { get; init; }

    /// <summary>True when this is the stored answer to a request_id that was sent before.</summary>
    public bool Replayed { get; init; }
}
