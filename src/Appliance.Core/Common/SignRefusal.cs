namespace Appliance.Common;

/// <summary>How a refusal maps onto the wire; the gRPC layer turns this into a status code.</summary>
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
/// A request the appliance will not sign. <see cref="Reason"/> is a stable machine-readable code
/// (sent as google.rpc.ErrorInfo.reason); the message is one sentence that names the fix.
/// Messages must never contain a secret.
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

    public static SignRefusal Invalid(string reason, string message) => new(RefusalKind.InvalidArgument, reason, message);

    public static SignRefusal Denied(string reason, string message) => new(RefusalKind.PermissionDenied, reason, message);
}

/// <summary>The stable reason codes. Add, never rename: bots match on them.</summary>
public static class Reasons
{
    // INVALID_ARGUMENT
    public const string UnknownEndpoint = "UNKNOWN_ENDPOINT";
    public const string UnknownParam = "UNKNOWN_PARAM";
    public const string MissingParam = "MISSING_PARAM";
    public const string DuplicateParam = "DUPLICATE_PARAM";
    public const string BadParamValue = "BAD_PARAM_VALUE";
    public const string ParamTooLong = "PARAM_TOO_LONG";
    public const string TooManyValues = "TOO_MANY_VALUES";
    public const string ClockSkew = "CLOCK_SKEW";
    public const string MissingClientTime = "MISSING_CLIENT_TIME";
    public const string BadRequestId = "BAD_REQUEST_ID";

    // ALREADY_EXISTS
    public const string ReplayedRequest = "REPLAYED_REQUEST";

    // UNAUTHENTICATED
    public const string UnknownBot = "UNKNOWN_BOT";
    public const string BotRevoked = "BOT_REVOKED";
    public const string NoClientCertificate = "NO_CLIENT_CERTIFICATE";

    // PERMISSION_DENIED
    public const string IpNotAllowed = "IP_NOT_ALLOWED";
    public const string ScopeDenied = "SCOPE_DENIED";
    public const string MarketDenied = "MARKET_DENIED";
    public const string OrderLimit = "ORDER_LIMIT";
    public const string NotionalUnknown = "ORDER_NOTIONAL_UNKNOWN";
    public const string CredentialDenied = "CREDENTIAL_DENIED";
    public const string ApprovalRejected = "APPROVAL_REJECTED";
    public const string ApprovalTimeout = "APPROVAL_TIMEOUT";
    public const string WithdrawAddressDenied = "WITHDRAW_ADDRESS_DENIED";
    public const string WithdrawLimit = "WITHDRAW_LIMIT";

    // FAILED_PRECONDITION
    public const string KeyAbsent = "KEY_ABSENT";
    public const string Paused = "PAUSED";
    public const string Sealed = "SEALED";
    public const string UnknownCredential = "UNKNOWN_CREDENTIAL";
    public const string CredentialExpired = "CREDENTIAL_EXPIRED";
    public const string ApprovalUnavailable = "APPROVAL_UNAVAILABLE";
    public const string TokenError = "TOKEN_ERROR";

    // RESOURCE_EXHAUSTED
    public const string RateLimited = "RATE_LIMITED";

    // UNAVAILABLE
    public const string AuditUnavailable = "AUDIT_UNAVAILABLE";

    /// <summary>google.rpc.ErrorInfo.domain for every refusal.</summary>
    public const string Domain = "appliance.v1";
}
