using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Appliance.Upbit;

/// <summary>
/// The exact strings of one Upbit request: what is hashed into query_hash, and what goes on the wire.
/// All three are built from the same ordered parameter list, so the signed string and the sent request
/// cannot diverge.
/// </summary>
public sealed class CanonicalRequest
{
    private static readonly JsonWriterOptions CompactJson = new()
    {
        Indented = false,
        // Values are charset-checked ASCII; the relaxed encoder keeps '+' literal instead of \u002B.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private CanonicalRequest(string queryString, string urlQuery, string bodyJson)
    {
        QueryString = queryString;
        UrlQuery = urlQuery;
        BodyJson = bodyJson;
    }

    /// <summary>No request strings at all (the private WebSocket token).</summary>
    public static CanonicalRequest Empty { get; } = new("", "", "");

    /// <summary>"k=v&amp;k=v" in the given order, not URL-encoded: the input of query_hash. Empty without params.</summary>
    public string QueryString { get; }

    /// <summary>GET/DELETE: the percent-encoded query to put after '?'. Empty for POST or without params.</summary>
    public string UrlQuery { get; }

    /// <summary>POST: the compact JSON body to send, all values as JSON strings. Empty for GET/DELETE.</summary>
    public string BodyJson { get; }

    /// <summary>
    /// Builds the strings for parameters that passed <see cref="RequestValidator"/>. Array parameters are repeated
    /// "key[]" entries on the URL; JSON bodies never carry arrays (the catalog refuses such endpoints because
    /// Upbit does not document how they are hashed), and a POST with no parameters sends "{}".
    /// </summary>
    public static CanonicalRequest Build(Endpoint endpoint, IReadOnlyList<UpbitParam> parameters)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (var (key, value) in parameters)
        {
            if (string.IsNullOrEmpty(key) || value is null)
                throw new ArgumentException("Every parameter needs a key and a value; validate the request with RequestValidator first.", nameof(parameters));
        }

        var queryString = new StringBuilder();
        foreach (var (key, value) in parameters)
        {
            if (queryString.Length > 0) queryString.Append('&');
            queryString.Append(key).Append('=').Append(value);
        }

        return endpoint.BodyKind == BodyKind.Json
            ? new CanonicalRequest(queryString.ToString(), "", BuildJsonBody(parameters))
            : new CanonicalRequest(queryString.ToString(), BuildUrlQuery(parameters), "");
    }

    private static string BuildUrlQuery(IReadOnlyList<UpbitParam> parameters)
    {
        var url = new StringBuilder();
        foreach (var (key, value) in parameters)
        {
            if (url.Length > 0) url.Append('&');
            // Upbit wants the brackets of array keys literal ([FAQ]: encoding them gives 400 Invalid parameter).
            var isArrayKey = key.EndsWith("[]", StringComparison.Ordinal);
            PercentEncode(url, isArrayKey ? key[..^2] : key);
            if (isArrayKey) url.Append("[]");
            url.Append('=');
            PercentEncode(url, value);
        }
        return url.ToString();
    }

    private static string BuildJsonBody(IReadOnlyList<UpbitParam> parameters)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, CompactJson))
        {
            json.WriteStartObject();
            foreach (var (key, value) in parameters)
            {
                if (key.EndsWith("[]", StringComparison.Ordinal))
                    throw new InvalidOperationException($"Array parameter '{key}' cannot go in a JSON body; validate the request with RequestValidator first.");
                json.WriteString(key, value);
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>RFC 3986: unreserved characters kept, every other UTF-8 byte as %XX (uppercase hex).</summary>
    private static void PercentEncode(StringBuilder sb, string text)
    {
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.' or '_' or '~')
            {
                sb.Append(c);
                continue;
            }
            var rune = Rune.GetRuneAt(text, i); // throws on a lone surrogate: nothing sane to encode
            var length = rune.EncodeToUtf8(utf8);
            foreach (var b in utf8[..length])
            {
                sb.Append('%').Append(HexUpper[b >> 4]).Append(HexUpper[b & 0xF]);
            }
            i += rune.Utf16SequenceLength - 1;
        }
    }

    private const string HexUpper = "0123456789ABCDEF";
}
