using System.Globalization;
using System.Text.Json;
using Appliance.Common;
using Microsoft.AspNetCore.Http;

namespace Appliance.Front;

/// <summary>
/// How the appliance's own refusals look on the HTTPS front, shaped so ccxt raises the class a bot
/// already handles (ccxt matches words in error.name and error.message, else falls back to the status):
/// 400/401/403/409 carry Upbit's error JSON (403 messages end "(out_of_scope)", 401 "(invalid_access_key)");
/// rate limits are 429 plain text with Retry-After; not-now states 503 plain text; a lost answer 504
/// plain text with X-Appliance-Identifier. Every refusal carries X-Appliance-Reason.
/// </summary>
public static class FrontAnswers
{
    public const string ReasonHeader = "X-Appliance-Reason";
    public const string IdentifierHeader = "X-Appliance-Identifier";
    public const string AuditIdHeader = "X-Appliance-Audit-Id";

    public static (int Status, string ContentType, string Body) Shape(SignRefusal refusal) => refusal.Kind switch
    {
        RefusalKind.InvalidArgument => Json(400, refusal.Reason, refusal.Message),
        RefusalKind.PermissionDenied => Json(403, refusal.Reason, refusal.Message + " (out_of_scope)"),
        RefusalKind.Unauthenticated => Json(401, refusal.Reason, refusal.Message + " (invalid_access_key)"),
        RefusalKind.AlreadyExists => Json(409, refusal.Reason, refusal.Message),
        RefusalKind.ResourceExhausted => Text(429, refusal),
        _ when refusal.Reason == Reasons.OutcomeUnknown => Text(504, refusal),
        _ when refusal.Reason == Reasons.UpstreamTooLarge => Text(502, refusal),
        _ => Text(503, refusal),
    };

    public static async Task WriteAsync(HttpContext http, SignRefusal refusal)
    {
        var (status, contentType, body) = Shape(refusal);
        var response = http.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        response.Headers[ReasonHeader] = refusal.Reason;
        if (refusal.RetryAfter is { } wait)
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        if (refusal.Identifier is { } identifier) response.Headers[IdentifierHeader] = identifier;
        await response.WriteAsync(body, http.RequestAborted);
    }

    private static (int, string, string) Json(int status, string reason, string message) =>
        (status, "application/json; charset=utf-8", JsonSerializer.Serialize(new { error = new { name = reason, message } }));

    private static (int, string, string) Text(int status, SignRefusal refusal) =>
        (status, "text/plain; charset=utf-8", $"{refusal.Reason}: {refusal.Message}");
}
