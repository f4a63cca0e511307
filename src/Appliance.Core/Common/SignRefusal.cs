namespace Appliance.Common;

/// <summary>How a refusal maps onto the wire: a gRPC status code, and on the HTTPS front an HTTP status.</summary>
public enum RefusalKind
{
    InvalidArgument,
    AlreadyExists,
    PermissionDenied,
    Unauthenticated,
    FailedPrecondition,
    ResourceExhausted,
    Unavailable,
}

/// <summary>
/// A request the appliance will not send (or sign). <see cref="Reason"/> is a stable machine-readable
/// code (google.rpc.ErrorInfo.reason, X-Appliance-Reason on the front); the message is one sentence
/// that names the fix. Messages never contain a secret, a file path or a token error code.
/// Every refusal is made in <see cref="Refusals"/>, so they can be reviewed in one place.
/// </summary>
public sealed class SignRefusal : Exception
{
    public SignRefusal(RefusalKind kind, string reason, string message)
        : base(message)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        Kind = kind;
        Reason = reason;
    }

    public RefusalKind Kind { get; }

    public string Reason { get; }

    /// <summary>When the caller may try again (rate limits); null: not said.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The order's identifier when the outcome is unknown, so the bot can look the order up.</summary>
    public string? Identifier { get; init; }
}
