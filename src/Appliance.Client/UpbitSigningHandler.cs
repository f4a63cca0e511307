using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Appliance.Client;

/// <summary>
/// An HttpClient handler for .NET bots: write Upbit requests as usual (query string for GET and
/// DELETE, a flat JSON object for POST) and this handler has the appliance sign each one, then
/// sends exactly the query or body that was signed, with the Authorization header set.
/// </summary>
public sealed class UpbitSigningHandler(ApplianceClient appliance, string credential = "") : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(request));
        var parameters = request.Method == HttpMethod.Post
            ? await ReadJsonBody(request, cancellationToken)
            : ReadQuery(uri.Query);
        var signed = await appliance.SignAsync(request.Method.Method, uri.AbsolutePath, parameters, credential, cancellationToken);

        var builder = new UriBuilder(uri) { Query = signed.UrlQuery };
        request.RequestUri = builder.Uri;
        if (request.Method == HttpMethod.Post)
            request.Content = new StringContent(signed.BodyJson, Encoding.UTF8, "application/json");
        request.Headers.Authorization = AuthenticationHeaderValue.Parse(signed.Authorization);
        return await base.SendAsync(request, cancellationToken);
    }

    internal static List<KeyValuePair<string, string>> ReadQuery(string query)
    {
        var result = new List<KeyValuePair<string, string>>();
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var at = pair.IndexOf('=');
            var key = at < 0 ? pair : pair[..at];
            var value = at < 0 ? "" : pair[(at + 1)..];
            result.Add(new(Uri.UnescapeDataString(key), Uri.UnescapeDataString(value)));
        }
        return result;
    }

    private static async Task<List<KeyValuePair<string, string>>> ReadJsonBody(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var result = new List<KeyValuePair<string, string>>();
        if (request.Content is null) return result;
        using var document = JsonDocument.Parse(await request.Content.ReadAsStringAsync(cancellationToken));
        if (document.RootElement.ValueKind != JsonValueKind.Object)
            throw new ArgumentException("An Upbit POST body must be a JSON object.", nameof(request));
        foreach (var property in document.RootElement.EnumerateObject())
        {
            var value = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString()!,
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                _ => throw new ArgumentException($"Body field '{property.Name}' must be a string or number.", nameof(request)),
            };
            result.Add(new(property.Name, value));
        }
        return result;
    }
}
