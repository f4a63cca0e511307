using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;

namespace Appliance.StandIn;

/// <summary>
/// Pulls a request's parameters from where Upbit expects them: the query for GET/DELETE, a JSON body
/// for POST (form POSTs were retired 2022-03-01 → 400 validation_error).
/// </summary>
internal static class UpbitRequestReader
{
    public static async Task<UpbitRequestParams> ReadParamsAsync(HttpRequest request, CancellationToken ct)
    {
        // Kestrel keeps QueryString exactly as it arrived on the wire (only the path is decoded).
        var rawQuery = request.QueryString.HasValue ? request.QueryString.Value![1..] : "";
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        var body = buffer.ToArray();

        if (!HttpMethods.IsPost(request.Method))
        {
            if (body.Length > 0)
            {
                throw Validation($"{request.Method} parameters go in the query string, not the body");
            }

            return UpbitRequestParams.FromQuery(rawQuery);
        }

        if (rawQuery.Length > 0)
        {
            throw Validation("POST parameters go in a JSON body, not the query string");
        }

        if (body.Length == 0)
        {
            return UpbitRequestParams.None;
        }

        CheckJsonContentType(request.ContentType);
        return UpbitRequestParams.FromJsonBody(body);
    }

    private static void CheckJsonContentType(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            throw Validation("POST body needs Content-Type: application/json; charset=utf-8");
        }

        if (!string.Equals(media.MediaType, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw Validation($"Content-Type '{media.MediaType}' is not supported (form POSTs ended 2022-03-01); send application/json");
        }

        if (media.CharSet is { } charset && !string.Equals(charset.Trim('"'), "utf-8", StringComparison.OrdinalIgnoreCase))
        {
            throw Validation($"charset '{charset}' is not supported; send UTF-8 JSON");
        }
    }

    private static UpbitRejection Validation(string reason) =>
        UpbitRejection.BadRequest(UpbitErrorNames.ValidationError, reason);
}
