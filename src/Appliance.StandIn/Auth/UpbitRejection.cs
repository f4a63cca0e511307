namespace Appliance.StandIn;

/// <summary>
/// Thrown inside a request; the pipeline turns it into Upbit's error body
/// <c>{"error":{"name":…,"message":…}}</c>. <see cref="Detail"/> is for the record only (tests read it);
/// the wire message is <see cref="Exception.Message"/>, which may be Upbit's exact text so that stock
/// clients (ccxt maps some messages exactly) react as they would to Upbit.
/// </summary>
internal sealed class UpbitRejection(int statusCode, string errorName, string message, string? detail = null) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    public string ErrorName { get; } = errorName;

    public string Detail { get; } = detail ?? message;

    public static UpbitRejection Unauthorized(string errorName, string reason) => new(401, errorName, reason);

    public static UpbitRejection BadRequest(string errorName, string reason) => new(400, errorName, reason);

    public static UpbitRejection NotFound(string reason) => new(404, UpbitErrorNames.NotFound, reason);

    public static UpbitRejection Validation(string reason) => new(400, UpbitErrorNames.ValidationError, reason);

    /// <summary>A required parameter is absent: Upbit's exact message (ccxt maps it to BadRequest), the name in the record.</summary>
    public static UpbitRejection Missing(string name) =>
        new(400, UpbitErrorNames.ValidationError, UpbitErrorNames.MissingParameterMessage, $"required parameter '{name}' is missing; add it");
}
