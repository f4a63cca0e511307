using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Appliance.Tests.BadInput;

/// <summary>
/// One case of the bad-input corpus (bad-input.json): a request over gRPC Send or the HTTPS front and the reason it
/// must be refused with. <see cref="Reason"/> is a reason code (ErrorInfo.reason, X-Appliance-Reason), or
/// "http:NNN" for a request Kestrel refuses before the appliance reads it, or "grpc:CODE" for one gRPC refuses.
/// Strings may hold <c>${TEXT*N}</c>, expanded to TEXT repeated N times (oversize cases stay readable).
/// </summary>
public sealed partial record BadInputCase
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("via")] public required string Via { get; init; }
    [JsonPropertyName("reason")] public required string Reason { get; init; }

    // gRPC Send
    [JsonPropertyName("method")] public string? Method { get; init; }
    [JsonPropertyName("path")] public string? Path { get; init; }
    /// <summary>[key, value] or [key, value, count] (the pair repeated count times).</summary>
    [JsonPropertyName("params")] public List<List<JsonElement>> Params { get; init; } = [];
    [JsonPropertyName("request_id")] public string? RequestId { get; init; }
    [JsonPropertyName("credential")] public string? Credential { get; init; }

    // HTTPS front: either the whole request ("raw", one byte per character, so "\u00ff" is the byte 0xFF), or
    // method + target + headers + body, from which the request is built ({len} in raw is the body's length).
    [JsonPropertyName("raw")] public string? Raw { get; init; }
    [JsonPropertyName("target")] public string? Target { get; init; }
    [JsonPropertyName("headers")] public List<string> Headers { get; init; } = [];
    [JsonPropertyName("body")] public string? Body { get; init; }

    public bool IsGrpc => Via == "grpc";

    public override string ToString() => $"{Via}: {Name}";

    public IEnumerable<KeyValuePair<string, string>> ExpandedParams()
    {
        foreach (var p in Params)
        {
            var count = p.Count > 2 ? p[2].GetInt32() : 1;
            for (var i = 0; i < count; i++)
                yield return new(Expand(p[0].GetString()!), Expand(p[1].GetString()!));
        }
    }

    /// <summary>The bytes the front case writes on the TLS connection.</summary>
    public byte[] HttpBytes()
    {
        string text;
        if (Raw is not null)
        {
            text = Expand(Raw);
            var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (text.Contains("{len}", StringComparison.Ordinal))
                text = text.Replace("{len}", (split < 0 ? 0 : text.Length - split - 4).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }
        else
        {
            var body = Body is null ? "" : Expand(Body);
            var head = new StringBuilder($"{Method ?? "GET"} {Expand(Target ?? "/")} HTTP/1.1\r\nHost: appliance\r\n");
            foreach (var h in Headers) head.Append(Expand(h)).Append("\r\n");
            if (Body is not null)
            {
                if (!Headers.Any(h => h.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase)))
                    head.Append("Content-Type: application/json\r\n");
                head.Append("Content-Length: ").Append(Encoding.Latin1.GetByteCount(body)).Append("\r\n");
            }
            text = head.Append("\r\n").Append(body).ToString();
        }
        if (text.Any(c => c > 0xFF)) throw new InvalidDataException($"case '{Name}': raw HTTP holds a character above \\u00ff; write UTF-8 as its bytes");
        return Encoding.Latin1.GetBytes(text);
    }

    public static string Expand(string text) => Repeat().Replace(text, m => string.Concat(Enumerable.Repeat(m.Groups[1].Value, int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture))));

    [GeneratedRegex(@"\$\{(.+?)\*([0-9]+)\}")]
    private static partial Regex Repeat();

    public static IReadOnlyList<BadInputCase> Load()
    {
        var path = System.IO.Path.Combine(AppContext.BaseDirectory, "BadInput", "bad-input.json");
        return JsonSerializer.Deserialize<List<BadInputCase>>(File.ReadAllText(path), new JsonSerializerOptions { ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!;
    }
}
