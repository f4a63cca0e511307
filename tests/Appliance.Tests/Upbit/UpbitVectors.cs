using System.Text.Json;
using Appliance.Upbit;

namespace Appliance.Tests.Upbit;

/// <summary>The shared, independently computed vectors (TestVectors/upbit-jwt.json, copied to the output dir).</summary>
internal sealed record UpbitVectorCase(
    string Name,
    string Method,
    string Path,
    UpbitParam[] Params,
    string QueryString,
    string? QueryHash,
    string PayloadJson,
    string? UrlQuery,
    string? BodyJson,
    string JwtHs256,
    string JwtHs512);

internal static class UpbitVectors
{
    private static readonly Lazy<(string AccessKey, string SecretKey, Guid Nonce, UpbitVectorCase[] Cases)> Loaded = new(Load);

    public static string AccessKey => Loaded.Value.AccessKey;

    public static string SecretKey => Loaded.Value.SecretKey;

    public static Guid Nonce => Loaded.Value.Nonce;

    public static IReadOnlyList<UpbitVectorCase> Cases => Loaded.Value.Cases;

    public static UpbitVectorCase Case(string name) => Cases.Single(c => c.Name == name);

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases) data.Add(c.Name);
        return data;
    }

    private static (string, string, Guid, UpbitVectorCase[]) Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestVectors", "upbit-jwt.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        var cases = root.GetProperty("cases").EnumerateArray().Select(c => new UpbitVectorCase(
            c.GetProperty("name").GetString()!,
            c.GetProperty("method").GetString()!,
            c.GetProperty("path").GetString()!,
            [.. c.GetProperty("params").EnumerateArray()
                .Select(p => new UpbitParam(p.GetProperty("key").GetString()!, p.GetProperty("value").GetString()!))],
            c.GetProperty("query_string").GetString()!,
            c.GetProperty("query_hash").GetString(),
            c.GetProperty("payload_json").GetString()!,
            c.TryGetProperty("url_query", out var url) ? url.GetString() : null,
            c.TryGetProperty("body_json", out var body) ? body.GetString() : null,
            c.GetProperty("jwt_HS256").GetString()!,
            c.GetProperty("jwt_HS512").GetString()!)).ToArray();
        return (root.GetProperty("access_key").GetString()!, root.GetProperty("secret_key").GetString()!,
            Guid.Parse(root.GetProperty("nonce").GetString()!), cases);
    }
}
