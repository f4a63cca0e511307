namespace Appliance.StandIn;

/// <summary>
/// A request whose token the stand-in accepted (signature, access key, fresh nonce and query_hash all
/// checked). The exchange may still have refused the business request: see <see cref="StatusCode"/>
/// and <see cref="ErrorName"/> (e.g. 400 insufficient_funds_bid, 404 order_not_found).
/// </summary>
/// <param name="Params">Decoded parameters in wire/body order (array keys keep their "[]").</param>
/// <param name="Alg">JWT header alg: "HS512" or "HS256".</param>
/// <param name="QueryHash">The token's query_hash claim, or null when the request had none.</param>
public sealed record AcceptedRequest(
    string Method,
    string Path,
    IReadOnlyList<KeyValuePair<string, string>> Params,
    string AccessKey,
    string Alg,
    string Nonce,
    string? QueryHash)
{
    /// <summary>The HTTP status the stand-in answered (or would have, for a dropped connection).</summary>
    public int StatusCode { get; init; } = 200;

    /// <summary>Upbit's error.name when the business request was refused; null on success.</summary>
    public string? ErrorName { get; init; }

    /// <summary>The fault applied after processing (delay, dropped connection, oversized body), if any.</summary>
    public StandInFaultKind? Fault { get; init; }

    /// <summary>The names of the HTTP headers that reached the stand-in, lower-case (e.g. to show no Origin was sent).</summary>
    public IReadOnlyList<string> HeaderNames { get; init; } = [];
}

/// <summary>A request refused before the exchange acted: bad shape (400), bad token (401) or unknown path (404).</summary>
/// <param name="ErrorName">Upbit's error.name, e.g. "jwt_verification", "nonce_used".</param>
/// <param name="Reason">Why, in detail, for test diagnostics.</param>
public sealed record RejectedRequest(
    string Method,
    string Path,
    int StatusCode,
    string ErrorName,
    string Reason)
{
    /// <summary>The parameters as far as they could be read (empty when the query or body was malformed).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Params { get; init; } = [];
}

/// <summary>A request answered by an injected fault before the exchange looked at it (429, 418, 500).</summary>
public sealed record FaultedRequest(
    string Method,
    string Path,
    IReadOnlyList<KeyValuePair<string, string>> Params,
    StandInFaultKind Fault,
    int StatusCode);
