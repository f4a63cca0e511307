using System.Net;
using System.Text;
using System.Text.Json;

namespace Appliance.Tests.FakeUpbit;

/// <summary>What the fake answered: status, and error.name or the echoed params.</summary>
public sealed record FakeUpbitResponse(HttpStatusCode Status, string Body)
{
    public string? ErrorName
    {
        get
        {
            using var doc = JsonDocument.Parse(Body);
            return doc.RootElement.TryGetProperty("error", out var e) ? e.GetProperty("name").GetString() : null;
        }
    }

    public IReadOnlyList<KeyValuePair<string, string>> EchoedParams
    {
        get
        {
            using var doc = JsonDocument.Parse(Body);
            return [.. doc.RootElement.GetProperty("params").EnumerateArray()
                .Select(p => new KeyValuePair<string, string>(p[0].GetString()!, p[1].GetString()!))];
        }
    }
}

/// <summary>Sends requests to a <see cref="FakeUpbitServer"/> over a real socket.</summary>
public static class FakeUpbitTestClient
{
    public static async Task<FakeUpbitResponse> SendAsync(
        FakeUpbitServer server,
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
        return new FakeUpbitResponse(response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
