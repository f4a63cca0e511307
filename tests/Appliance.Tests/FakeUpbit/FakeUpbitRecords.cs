namespace Appliance.Tests.FakeUpbit;

/// <summary>A request the fake exchange authenticated and answered with 200.</summary>
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
    string? QueryHash);

/// <summary>A request the fake exchange refused.</summary>
/// <param name="ErrorName">Upbit's error.name, e.g. "jwt_verification", "nonce_used".</param>
/// <param name="Reason">Why, in detail, for test diagnostics (also sent as error.message).</param>
public sealed record RejectedRequest(
    string Method,
    string Path,
    int StatusCode,
    string ErrorName,
    string Reason);

/// <summary>Thrown inside the request pipeline; the server turns it into Upbit's error body.</summary>
internal sealed class FakeUpbitRejection(int statusCode, string errorName, string reason) : Exception(reason)
{
    public int StatusCode { get; } = statusCode;

    public string ErrorName { get; } = errorName;

    public static FakeUpbitRejection Unauthorized(string errorName, string reason) => new(401, errorName, reason);

    public static FakeUpbitRejection BadRequest(string errorName, string reason) => new(400, errorName, reason);

    public static FakeUpbitRejection NotFound(string reason) => new(404, UpbitErrorNames.NotFound, reason);
}

/// <summary>Upbit's error names that the fake produces.</summary>
public static class UpbitErrorNames
{
    public const string NoAuthorizationToken = "no_authorization_token";
    public const string JwtVerification = "jwt_verification";
    public const string InvalidAccessKey = "invalid_access_key";
    public const string NonceUsed = "nonce_used";
    public const string InvalidQueryPayload = "invalid_query_payload";
    public const string ValidationError = "validation_error";
    public const string InvalidParameter = "invalid_parameter";
    public const string NotFound = "not_found";
}
