using System.Text.Json;

namespace Appliance.StandIn.Tests;

/// <summary>One case of TestVectors/upbit-jwt.json (independently computed tokens).</summary>
public sealed record UpbitJwtVectorCase(
    string Name,
    string Method,
    string Path,
    IReadOnlyList<KeyValuePair<string, string>> Params,
    string QueryString,
    string? UrlQuery,
    string? BodyJson,
    string JwtHs256,
    string JwtHs512)
{
    public string Jwt(string alg) => alg switch
    {
        "HS256" => JwtHs256,
        "HS512" => JwtHs512,
        _ => throw new ArgumentException($"No vector JWT for alg '{alg}'; use HS256 or HS512.", nameof(alg)),
    };
}

/// <summary>Loads the vector file copied next to the test assembly. Every case uses the same nonce.</summary>
public static class UpbitJwtVectors
{
    public static string AccessKey => Root.GetProperty("access_key").GetString()!;

    public static string SecretKey => Root.GetProperty("secret_key").GetString()!;

    public static string Nonce => Root.GetProperty("nonce").GetString()!;

    public static IReadOnlyList<UpbitJwtVectorCase> Cases =>
        [.. Root.GetProperty("cases").EnumerateArray().Select(ReadCase)];

    public static UpbitJwtVectorCase Case(string name) =>
        Cases.SingleOrDefault(c => c.Name == name)
        ?? throw new ArgumentException($"No vector case '{name}' in TestVectors/upbit-jwt.json.", nameof(name));

    private static JsonElement Root
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "TestVectors", "upbit-jwt.json");
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            return doc.RootElement.Clone();
        }
    }

    private static UpbitJwtVectorCase ReadCase(JsonElement c) => new(
        c.GetProperty("name").GetString()!,
        c.GetProperty("method").GetString()!,
        c.GetProperty("path").GetString()!,
        [.. c.GetProperty("params").EnumerateArray().Select(p =>
            new KeyValuePair<string, string>(p.GetProperty("key").GetString()!, p.GetProperty("value").GetString()!))],
        c.GetProperty("query_string").GetString()!,
        c.TryGetProperty("url_query", out var q) ? q.GetString() : null,
        c.TryGetProperty("body_json", out var b) ? b.GetString() : null,
        c.GetProperty("jwt_HS256").GetString()!,
        c.GetProperty("jwt_HS512").GetString()!);
}
