namespace Appliance.Common;

/// <summary>The stable reason codes (google.rpc.ErrorInfo.reason, X-Appliance-Reason). Add, never rename: bots match on them.</summary>
public static partial class Reasons
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
    public const string MalformedRequest = "MALFORMED_REQUEST";
    public const string RequestTooLarge = "REQUEST_TOO_LARGE";

    // ALREADY_EXISTS
    public const string ReplayedRequest = "REPLAYED_REQUEST";
    public const string RequestIdReused = "REQUEST_ID_REUSED";
    public const string AlreadySent = "ALREADY_SENT";

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
    public const string OrderNotOwned = "ORDER_NOT_OWNED";
    public const string CredentialDenied = "CREDENTIAL_DENIED";
    public const string ApprovalRejected = "APPROVAL_REJECTED";
    public const string ApprovalTimeout = "APPROVAL_TIMEOUT";
    public const string WithdrawAddressDenied = "WITHDRAW_ADDRESS_DENIED";
    public const string WithdrawLimit = "WITHDRAW_LIMIT";
    public const string TransferPocketDenied = "TRANSFER_POCKET_DENIED";
    public const string AddressCoolingOff = "ADDRESS_COOLING_OFF";

    // FAILED_PRECONDITION
    public const string KeyAbsent = "KEY_ABSENT";
    public const string Paused = "PAUSED";
    public const string Sealed = "SEALED";
    public const string UnknownCredential = "UNKNOWN_CREDENTIAL";
    public const string CredentialExpired = "CREDENTIAL_EXPIRED";
    public const string ApprovalUnavailable = "APPROVAL_UNAVAILABLE";
    public const string TokenError = "TOKEN_ERROR";
    public const string DetachedNotAllowed = "DETACHED_NOT_ALLOWED";

    // RESOURCE_EXHAUSTED
    public const string RateLimited = "RATE_LIMITED";
    public const string ApprovalQueueFull = "APPROVAL_QUEUE_FULL";

    // UNAVAILABLE
    public const string AuditUnavailable = "AUDIT_UNAVAILABLE";
    public const string UpstreamUnavailable = "UPSTREAM_UNAVAILABLE";
    public const string OutcomeUnknown = "OUTCOME_UNKNOWN";
    public const string UpstreamTooLarge = "UPSTREAM_TOO_LARGE";
    public const string DeadlineTooShort = "DEADLINE_TOO_SHORT";

    /// <summary>google.rpc.ErrorInfo.domain for every refusal.</summary>
    public const string Domain = Refusals.Domain;
}
