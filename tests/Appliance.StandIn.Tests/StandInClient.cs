using System.Net;
using System.Text;
using System.Text.Json;

namespace Appliance.StandIn.Tests;

/// <summary>What the stand-in answered: status, headers and body (error.name when it is Upbit's error JSON).</summary>
public sealed record StandInResponse(HttpStatusCode Status, string Body, string? RemainingReq = null, string? ContentType = null)
{
    public string? ErrorName
    {
        get
        {
            try
            {
                using var doc = JsonDocument.Parse(Body);
                return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out var e)
                    ? e.GetProperty("name").GetString()
                    : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    public bool IsSuccess => (int)Status is >= 200 and < 300;

    public JsonElement Json()
    {
        using var doc = JsonDocument.Parse(Body);
        return doc.RootElement.Clone();
    }
}

/// <summary>Sends requests to a <see cref="StandInExchange"/> over a real socket, the wire exactly as given.</summary>
public static class StandInClient
{
    public static async Task<StandInResponse> SendAsync(
        StandInExchange server,
        string method,
        string path,
        string? wireQuery,
        string? jwt,
        string? jsonBody = null,
        string contentType = "application/json")
    {
        using var http = new HttpClient();
        // System.Uri would otherwise "fix" the query (a lone '%' becomes %25); tests need the wire verbatim.
        var target = new Uri(
            server.BaseAddress.GetLeftPart(UriPartial.Authority) + path + (string.IsNullOrEmpty(wireQuery) ? "" : "?" + wireQuery),
            new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var request = new HttpRequestMessage(new HttpMethod(method), target);
        if (jwt is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + jwt);
        }

        if (jsonBody is not null)
        {
            request.Content = new StringContent(jsonBody, Encoding.UTF8, contentType);
        }

        using var response = await http.SendAsync(request);
        return new StandInResponse(
            response.StatusCode,
            await response.Content.ReadAsStringAsync(),
            response.Headers.TryGetValues("Remaining-Req", out var rr) ? rr.Single() : null,
            response.Content.Headers.ContentType?.ToString());
    }

    /// <summary>A signed call the way a correct client makes it: GET/DELETE in the query, POST as a JSON body, a fresh nonce.</summary>
    public static Task<StandInResponse> CallAsync(StandInExchange server, string method, string path, params (string Key, string Value)[] args)
    {
        var hashInput = args.Length == 0 ? null : string.Join('&', args.Select(a => $"{a.Key}={a.Value}"));
        var jwt = HandMadeJwt.ForRequest(TestExchange.AccessKey, TestExchange.Secret, hashInput);
        if (method == "POST")
        {
            var body = args.Length == 0 ? null : JsonSerializer.Serialize(args.ToDictionary(a => a.Key, a => a.Value));
            return SendAsync(server, method, path, null, jwt, body);
        }

        var query = string.Join('&', args.Select(a => $"{a.Key}={Uri.EscapeDataString(a.Value)}"));
        return SendAsync(server, method, path, query, jwt);
    }
}
