namespace Appliance.StandIn;

/// <summary>
/// Upbit's error.name values the stand-in produces. Names marked "inferred" are not in Upbit's error
/// table (shared/upbit-api.md §4); they are the closest documented family, chosen so ccxt's broad
/// matching (order_not_found, insufficient_funds) maps them as it would map Upbit's.
/// </summary>
public static class UpbitErrorNames
{
    public const string NoAuthorizationToken = "no_authorization_token";
    public const string JwtVerification = "jwt_verification";
    public const string InvalidAccessKey = "invalid_access_key";
    public const string NonceUsed = "nonce_used";
    public const string InvalidQueryPayload = "invalid_query_payload";
    public const string OutOfScope = "out_of_scope";
    public const string ValidationError = "validation_error";
    public const string InvalidParameter = "invalid_parameter";
    public const string NotFound = "not_found";
    public const string OrderNotFound = "order_not_found";
    public const string InsufficientFundsBid = "insufficient_funds_bid";
    public const string InsufficientFundsAsk = "insufficient_funds_ask";
    public const string UnderMinTotalBid = "under_min_total_bid";
    public const string UnderMinTotalAsk = "under_min_total_ask";
    public const string WithdrawAddressNotRegistered = "withdraw_address_not_registered";

    /// <summary>Inferred: withdrawals beyond the balance (Upbit documents no withdraw-specific name).</summary>
    public const string InsufficientFunds = "insufficient_funds";

    /// <summary>WebSocket error frame names (websocket-guide).</summary>
    public const string InvalidAuth = "INVALID_AUTH";
    public const string WrongFormat = "WRONG_FORMAT";
    public const string NoTicket = "NO_TICKET";
    public const string NoType = "NO_TYPE";
    public const string InvalidParam = "INVALID_PARAM";

    /// <summary>Inferred: a connection past Upbit's message limit (5/s, 100/min; rate-limits page). The page names no error frame.</summary>
    public const string TooManyRequests = "TOO_MANY_REQUEST";

    /// <summary>Upbit's message for a missing parameter; ccxt maps exactly this text to BadRequest.</summary>
    public const string MissingParameterMessage = "Missing request parameter error. Check the required parameters!";
}
