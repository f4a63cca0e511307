using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Appliance.Common;

namespace Appliance.Upbit;

/// <summary>
/// Reads an Upbit request the way a bot writes it for Upbit (query string for GET and DELETE, a flat
/// JSON object for POST) into the structured params the pipeline judges and rebuilds. Strict: what it
/// cannot read exactly is refused, never guessed at. Accepts what real clients send: repeated
/// <c>key[]</c> arrays, ccxt's <c>key[0]</c> arrays (renamed <c>key[]</c>), JSON numbers (kept as
/// their decimal text; an exponent is written out).
/// </summary>
public static partial class WireRequestParser
{
    public const int MaxParams = 32;

    [GeneratedRegex(@"^(?<name>[^\[\]]+)\[(?<index>[0-9]{0,3})\]$")]
    private static partial Regex IndexedArrayKey();

    /// <summary>The raw query (after '?', without it) into params, in order.</summary>
    public static List<UpbitParam> ParseQuery(string rawQuery)
    {
        var result = new List<UpbitParam>();
        if (rawQuery.Length == 0) return result;
        var indexes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var pair in rawQuery.Split('&'))
        {
            if (pair.Length == 0) throw Refusals.MalformedRequest("the query has an empty parameter ('&&' or a trailing '&')");
            if (pair.Contains('+'))
                throw Refusals.MalformedRequest("the query holds a raw '+', which Upbit and the bot's library may read differently (space or plus); percent-encode it as %2B or %20");
            var at = pair.IndexOf('=');
            if (at <= 0) throw Refusals.MalformedRequest("a query parameter is not key=value");
            var key = Decode(pair[..at]);
            var value = Decode(pair[(at + 1)..]);
            result.Add(new UpbitParam(ArrayKey(key, indexes), value));
            if (result.Count > MaxParams) throw Refusals.TooManyParams(MaxParams);
        }
        return result;
    }

    /// <summary>A POST body: one flat JSON object whose values are strings or numbers, in order.</summary>
    public static List<UpbitParam> ParseJsonBody(ReadOnlySpan<byte> body)
    {
        var result = new List<UpbitParam>();
        if (body.IsEmpty) return result;
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 2 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw Refusals.MalformedRequest("the body is not a JSON object");
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var key = reader.GetString()!;
                reader.Read();
                var value = reader.TokenType switch
                {
                    JsonTokenType.String => reader.GetString()!,
                    JsonTokenType.Number => PlainDecimal(Encoding.UTF8.GetString(reader.ValueSpan), key),
                    _ => throw Refusals.MalformedRequest($"body field '{Refusals.Echo(key)}' is not a string or a number"),
                };
                result.Add(new UpbitParam(key, value));
                if (result.Count > MaxParams) throw Refusals.TooManyParams(MaxParams);
            }
            if (reader.Read()) throw Refusals.MalformedRequest("the body has more than one JSON value");
        }
        catch (JsonException)
        {
            throw Refusals.MalformedRequest("the body is not valid JSON");
        }
        catch (InvalidOperationException)
        {
            throw Refusals.MalformedRequest("the body is not valid UTF-8 JSON");
        }
        return result;
    }

    /// <summary>A JSON number as the plain decimal text Upbit hashes: "0.0000001", never "1e-7".</summary>
    public static string PlainDecimal(string raw, string key)
    {
        if (!raw.Contains('e') && !raw.Contains('E')) return raw;
        if (raw.Length > 40 || !decimal.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            throw Refusals.BadFormat(key, "a decimal number that fits in 28 digits");
        var text = value.ToString("0.############################", CultureInfo.InvariantCulture);
        if (decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture) != value)
            throw Refusals.BadFormat(key, "a decimal number with at most 28 decimal places");
        return text;
    }

    /// <summary>Strict percent-decoding: every '%' starts two hex digits, and the bytes are UTF-8.</summary>
    private static string Decode(string text)
    {
        if (!text.Contains('%')) return text;
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '%')
            {
                if (c > 0x7F) throw Refusals.MalformedRequest("the query holds a character that is not percent-encoded");
                bytes.Add((byte)c);
                continue;
            }
            if (i + 2 >= text.Length || !byte.TryParse(text.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
                throw Refusals.MalformedRequest("the query has a '%' that is not followed by two hex digits");
            bytes.Add(b);
            i += 2;
        }
        try { return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes.ToArray()); }
        catch (DecoderFallbackException) { throw Refusals.MalformedRequest("the query decodes to bytes that are not UTF-8"); }
    }

    /// <summary>"states[]" stays; ccxt's "states[0]", "states[1]", … become "states[]" when numbered 0, 1, … in order.</summary>
    private static string ArrayKey(string key, Dictionary<string, int> indexes)
    {
        var match = IndexedArrayKey().Match(key);
        if (!match.Success || match.Groups["index"].Length == 0) return key;
        var name = match.Groups["name"].Value;
        var index = int.Parse(match.Groups["index"].Value, CultureInfo.InvariantCulture);
        var expected = indexes.GetValueOrDefault(name);
        if (index != expected) throw Refusals.MalformedRequest($"array '{Refusals.Echo(name)}' is numbered out of order; number it 0, 1, 2, … or send {Refusals.Echo(name)}[] repeatedly");
        indexes[name] = expected + 1;
        return name + "[]";
    }
}
