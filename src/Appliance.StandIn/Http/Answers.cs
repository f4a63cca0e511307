using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Appliance.StandIn;

/// <summary>Writes answers the way Upbit does: compact JSON, application/json; charset=utf-8, or plain text for throttling.</summary>
internal static class Answers
{
    public const string JsonContentType = "application/json; charset=utf-8";

    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Task WriteJsonAsync(HttpResponse response, int status, JsonNode body, CancellationToken ct)
    {
        response.StatusCode = status;
        response.ContentType = JsonContentType;
        return response.WriteAsync(body.ToJsonString(Compact), Encoding.UTF8, ct);
    }

    public static JsonObject Error(string name, string message) =>
        new() { ["error"] = new JsonObject { ["name"] = name, ["message"] = message } };

    public static Task WriteTextAsync(HttpResponse response, int status, string text, CancellationToken ct)
    {
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        return response.WriteAsync(text, Encoding.UTF8, ct);
    }

    /// <summary>A 200 JSON body of more than <paramref name="mib"/> MiB, streamed chunked (no Content-Length), so a client must count.</summary>
    public static async Task WriteOversizedAsync(HttpResponse response, int mib, CancellationToken ct)
    {
        response.StatusCode = 200;
        response.ContentType = JsonContentType;
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)'x');
        await response.Body.WriteAsync("{\"padding\":\""u8.ToArray(), ct);
        for (long written = 0; written <= (long)mib * 1024 * 1024; written += chunk.Length)
        {
            await response.Body.WriteAsync(chunk, ct);
        }

        await response.Body.WriteAsync("\"}"u8.ToArray(), ct);
    }
}
