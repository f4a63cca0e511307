using System.Text;
using System.Text.Json;

namespace Appliance.StandIn;

/// <summary>
/// A request's parameters as Upbit sees them (shared/upbit-api.md §2): the decoded pairs in order,
/// and the exact string whose SHA-512 the token's query_hash must be (null when there are none).
/// </summary>
internal sealed record UpbitRequestParams(IReadOnlyList<KeyValuePair<string, string>> Params, string? HashInput)
{
    public static readonly UpbitRequestParams None = new([], null);

    /// <summary>
    /// GET/DELETE: <paramref name="rawQuery"/> is the query exactly as it arrived (no '?').
    /// Wire rule: only RFC 3986 unreserved characters, '%XX', '&amp;', '=' and — in keys only — '[' ']'
    /// may appear unencoded; anything else (':', '+', ',', space…) is 400 invalid_parameter, as Upbit
    /// answers "Invalid parameter". The hash input is the whole raw query percent-decoded in wire order.
    /// Decoding treats '+' as space (servlet/form style, as Upbit's Java stack would); a literal '+'
    /// is refused by the wire rule first anyway, so a signer must send %2B.
    /// </summary>
    public static UpbitRequestParams FromQuery(string rawQuery)
    {
        if (rawQuery.Length == 0)
        {
            return None;
        }

        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var piece in rawQuery.Split('&'))
        {
            var eq = piece.IndexOf('=');
            var rawKey = eq < 0 ? piece : piece[..eq];
            var rawValue = eq < 0 ? "" : piece[(eq + 1)..];
            if (rawKey.Length == 0)
            {
                throw Invalid($"query has an empty parameter name in '{piece}' (stray '&' or '=')");
            }

            CheckWireCharacters(rawKey, allowBrackets: true);
            CheckWireCharacters(rawValue, allowBrackets: false);
            pairs.Add(new(PercentDecode(rawKey), PercentDecode(rawValue)));
        }

        return new UpbitRequestParams(pairs, PercentDecode(rawQuery));
    }

    /// <summary>
    /// POST: the JSON body rendered as k=v&amp;k=v in body order. Strings as is, numbers and booleans as
    /// their JSON text, null as empty, arrays as repeated "k[]=v" (no second "[]" if the key has one).
    /// Nested objects have no documented rendering, so they are refused (400 validation_error).
    /// </summary>
    public static UpbitRequestParams FromJsonBody(ReadOnlyMemory<byte> body)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw Validation($"body is not valid JSON: {e.Message}");
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Validation("body must be a JSON object");
            }

            var pairs = new List<KeyValuePair<string, string>>();
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.Array)
                {
                    var key = property.Name.EndsWith("[]", StringComparison.Ordinal) ? property.Name : property.Name + "[]";
                    foreach (var item in property.Value.EnumerateArray())
                    {
                        pairs.Add(new(key, Scalar(property.Name, item)));
                    }
                }
                else
                {
                    pairs.Add(new(property.Name, Scalar(property.Name, property.Value)));
                }
            }

            return pairs.Count == 0 ? None : new UpbitRequestParams(pairs, string.Join('&', pairs.Select(p => $"{p.Key}={p.Value}")));
        }
    }

    private static string Scalar(string name, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        JsonValueKind.Null => "",
        _ => throw Validation($"body field '{name}' is a JSON {value.ValueKind}; only strings, numbers, booleans, null and flat arrays are supported"),
    };

    private static void CheckWireCharacters(string raw, bool allowBrackets)
    {
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' || (allowBrackets && c is '[' or ']'))
            {
                continue;
            }

            if (c == '%')
            {
                if (i + 2 >= raw.Length || !char.IsAsciiHexDigit(raw[i + 1]) || !char.IsAsciiHexDigit(raw[i + 2]))
                {
                    throw Invalid($"'%' at '{raw}' is not followed by two hex digits");
                }

                i += 2;
                continue;
            }

            throw Invalid($"unencoded '{c}' in '{raw}'; percent-encode it (e.g. ':' as %3A, '+' as %2B)");
        }
    }

    /// <summary>Percent-decoding to UTF-8 ('+' → space); malformed UTF-8 is refused rather than replaced.</summary>
    internal static string PercentDecode(string raw)
    {
        var bytes = new List<byte>(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c == '%' && i + 2 < raw.Length && char.IsAsciiHexDigit(raw[i + 1]) && char.IsAsciiHexDigit(raw[i + 2]))
            {
                bytes.Add(Convert.ToByte(raw.Substring(i + 1, 2), 16));
                i += 2;
            }
            else if (c == '%')
            {
                throw Invalid($"'%' in '{raw}' is not followed by two hex digits");
            }
            else if (c > 0x7F)
            {
                throw Invalid($"non-ASCII character in '{raw}'; percent-encode its UTF-8 bytes");
            }
            else
            {
                bytes.Add(c == '+' ? (byte)' ' : (byte)c);
            }
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes.ToArray());
        }
        catch (DecoderFallbackException)
        {
            throw Invalid($"'{raw}' percent-decodes to bytes that are not UTF-8");
        }
    }

    private static UpbitRejection Invalid(string reason) =>
        UpbitRejection.BadRequest(UpbitErrorNames.InvalidParameter, "Invalid parameter: " + reason);

    private static UpbitRejection Validation(string reason) =>
        UpbitRejection.BadRequest(UpbitErrorNames.ValidationError, reason);
}
