using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Appliance.StandIn;

/// <summary>The claims of a token whose signature checked out and whose nonce was fresh.</summary>
internal sealed record VerifiedToken(string AccessKey, string Alg, string Nonce, string? QueryHash, string? QueryHashAlg);

/// <summary>
/// Verifies an Upbit JWT (shared/upbit-api.md §1) with code of its own, deliberately not shared with the
/// appliance's signer, so one bug cannot hide behind the same bug on the other side.
/// Order: bearer present → three unpadded base64url parts → header alg/typ → payload claims →
/// key known → HMAC (constant time) → nonce is a UUID → nonce unused for this key.
/// A nonce counts as used once the signature is valid, even if a later check (query_hash) fails.
/// </summary>
internal static class UpbitJwtVerifier
{
    private const string BearerPrefix = "Bearer ";

    public static VerifiedToken Verify(string? authorizationHeader, UpbitKeyRing keys)
    {
        var token = BearerToken(authorizationHeader);
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            throw Jwt($"token has {parts.Length} dot-separated parts; a JWS compact token has 3");
        }

        var header = ParseObject(Base64UrlDecode(parts[0], "header"), "header");
        var alg = RequiredString(header, "alg", "header");
        if (alg is not ("HS512" or "HS256"))
        {
            throw Jwt($"header alg '{alg}' is not HS512 or HS256");
        }

        if (RequiredString(header, "typ", "header") != "JWT")
        {
            throw Jwt("header typ must be \"JWT\"");
        }

        var payload = ParseObject(Base64UrlDecode(parts[1], "payload"), "payload");
        var signature = Base64UrlDecode(parts[2], "signature");
        var accessKey = RequiredString(payload, "access_key", "payload");

        var expected = keys.Mac(accessKey, alg, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]))
            ?? throw UpbitRejection.Unauthorized(UpbitErrorNames.InvalidAccessKey, $"access_key '{accessKey}' is not registered");
        if (!CryptographicOperations.FixedTimeEquals(expected, signature))
        {
            throw Jwt($"{alg} signature does not match the secret registered for '{accessKey}'");
        }

        var nonce = RequiredString(payload, "nonce", "payload");
        if (!Guid.TryParseExact(nonce, "D", out _))
        {
            throw Jwt($"nonce '{nonce}' is not a UUID (8-4-4-4-12 hex)");
        }

        if (!keys.TryUseNonce(accessKey, nonce))
        {
            throw UpbitRejection.Unauthorized(UpbitErrorNames.NonceUsed, $"nonce '{nonce}' was already used by '{accessKey}'");
        }

        return new VerifiedToken(
            accessKey,
            alg,
            nonce,
            OptionalString(payload, "query_hash", "payload"),
            OptionalString(payload, "query_hash_alg", "payload"));
    }

    private static string BearerToken(string? authorizationHeader)
    {
        if (string.IsNullOrEmpty(authorizationHeader))
        {
            throw UpbitRejection.Unauthorized(UpbitErrorNames.NoAuthorizationToken, "no Authorization header");
        }

        if (!authorizationHeader.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase)
            || authorizationHeader.Length == BearerPrefix.Length)
        {
            throw UpbitRejection.Unauthorized(UpbitErrorNames.NoAuthorizationToken, "Authorization header is not 'Bearer <jwt>'");
        }

        return authorizationHeader[BearerPrefix.Length..];
    }

    /// <summary>Strict unpadded base64url (RFC 7515 §2): alphabet A-Z a-z 0-9 - _, no '=', no whitespace.</summary>
    internal static byte[] Base64UrlDecode(string text, string part)
    {
        if (text.Length == 0 || text.Length % 4 == 1)
        {
            throw Jwt($"{part} has an impossible base64url length {text.Length}");
        }

        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                throw Jwt($"{part} contains '{c}', which is not unpadded base64url");
            }
        }

        var standard = text.Replace('-', '+').Replace('_', '/');
        standard += new string('=', (4 - (standard.Length % 4)) % 4);
        return Convert.FromBase64String(standard);
    }

    /// <summary>Parses a JSON object into its properties, refusing duplicate names (ambiguous claims).</summary>
    private static Dictionary<string, JsonElement> ParseObject(byte[] json, string part)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Jwt($"{part} is JSON but not an object");
            }

            var properties = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (!properties.TryAdd(property.Name, property.Value.Clone()))
                {
                    throw Jwt($"{part} has the claim '{property.Name}' twice");
                }
            }

            return properties;
        }
        catch (JsonException e)
        {
            throw Jwt($"{part} is not valid JSON: {e.Message}");
        }
    }

    private static string RequiredString(Dictionary<string, JsonElement> claims, string name, string part) =>
        OptionalString(claims, name, part) ?? throw Jwt($"{part} has no '{name}'");

    private static string? OptionalString(Dictionary<string, JsonElement> claims, string name, string part)
    {
        if (!claims.TryGetValue(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw Jwt($"{part} '{name}' is a JSON {value.ValueKind}, expected a string");
    }

    private static UpbitRejection Jwt(string reason) =>
        UpbitRejection.Unauthorized(UpbitErrorNames.JwtVerification, reason);
}
