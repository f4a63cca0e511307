using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Appliance.Upbit;

/// <summary>
/// Upbit's JWT: header {"alg":..,"typ":"JWT"}, claims access_key, nonce, query_hash, query_hash_alg in that order,
/// compact JSON, unpadded base64url, HMAC keyed by the secret's raw UTF-8 bytes (not base64-decoded).
/// </summary>
public static class UpbitJwt
{
    private static readonly JsonWriterOptions CompactJson = new()
    {
        Indented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// A token for one REST request. <paramref name="queryString"/> is <see cref="CanonicalRequest.QueryString"/>;
    /// when it is empty the token carries no query_hash (as Upbit documents for requests without parameters).
    /// </summary>
    public static string Create(string accessKey, ReadOnlySpan<byte> secretUtf8, string queryString, Guid nonce, JwtAlgorithm alg)
    {
        ArgumentNullException.ThrowIfNull(queryString);
        return Sign(accessKey, secretUtf8, nonce, queryString.Length == 0 ? null : QueryHash(queryString), alg);
    }

    /// <summary>A token for the private WebSocket handshake: access_key and nonce only.</summary>
    public static string CreateForWebSocket(string accessKey, ReadOnlySpan<byte> secretUtf8, Guid nonce, JwtAlgorithm alg) =>
        Sign(accessKey, secretUtf8, nonce, null, alg);

    /// <summary>SHA-512 of the UTF-8 bytes of <paramref name="queryString"/>, lowercase hex.</summary>
    public static string QueryHash(string queryString)
    {
        ArgumentNullException.ThrowIfNull(queryString);
        return Convert.ToHexStringLower(SHA512.HashData(Encoding.UTF8.GetBytes(queryString)));
    }

    /// <summary>The nonce as it appears in the payload: Guid "D" format, lowercase.</summary>
    public static string FormatNonce(Guid nonce) => nonce.ToString("D");

    private static string Sign(string accessKey, ReadOnlySpan<byte> secretUtf8, Guid nonce, string? queryHash, JwtAlgorithm alg)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accessKey);
        if (secretUtf8.IsEmpty) throw new ArgumentException("The secret key is empty; load the credential before signing.", nameof(secretUtf8));
        var algName = JwtAlgorithms.ToWire(alg);

        var header = Base64Url.EncodeToString(WriteJson(json =>
        {
            json.WriteString("alg", algName);
            json.WriteString("typ", "JWT");
        }));
        var payload = Base64Url.EncodeToString(WriteJson(json =>
        {
            json.WriteString("access_key", accessKey);
            json.WriteString("nonce", FormatNonce(nonce));
            if (queryHash is not null)
            {
                json.WriteString("query_hash", queryHash);
                json.WriteString("query_hash_alg", "SHA512");
            }
        }));

        var signingInput = Encoding.ASCII.GetBytes(header + "." + payload);
        Span<byte> mac = stackalloc byte[HMACSHA512.HashSizeInBytes];
        var macLength = alg == JwtAlgorithm.HS512
            ? HMACSHA512.HashData(secretUtf8, signingInput, mac)
            : HMACSHA256.HashData(secretUtf8, signingInput, mac);
        return header + "." + payload + "." + Base64Url.EncodeToString(mac[..macLength]);
    }

    private static ReadOnlySpan<byte> WriteJson(Action<Utf8JsonWriter> writeMembers)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, CompactJson))
        {
            json.WriteStartObject();
            writeMembers(json);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan;
    }
}
