using System.Security.Cryptography;
using System.Text;

namespace Appliance.StandIn.Tests;

/// <summary>
/// Builds tokens by hand for the stand-in's own tests: raw header/payload JSON in, compact JWS out.
/// Deliberately tiny and separate from both the stand-in's verifier and the appliance's signer.
/// </summary>
public static class HandMadeJwt
{
    public static string Build(string headerJson, string payloadJson, string secret, string macAlg = "HS512")
    {
        var signingInput = B64(Encoding.UTF8.GetBytes(headerJson)) + "." + B64(Encoding.UTF8.GetBytes(payloadJson));
        var key = Encoding.UTF8.GetBytes(secret);
        var data = Encoding.ASCII.GetBytes(signingInput);
        var mac = macAlg switch
        {
            "HS512" => HMACSHA512.HashData(key, data),
            "HS256" => HMACSHA256.HashData(key, data),
            _ => throw new ArgumentException($"Unknown MAC '{macAlg}'; use HS512 or HS256.", nameof(macAlg)),
        };
        return signingInput + "." + B64(mac);
    }

    /// <summary>An Upbit token for <paramref name="hashInput"/> (null: no query_hash claims).</summary>
    public static string ForRequest(string accessKey, string secret, string? hashInput, string alg = "HS512", string? nonce = null)
    {
        nonce ??= Guid.NewGuid().ToString();
        var payload = hashInput is null
            ? $"{{\"access_key\":\"{accessKey}\",\"nonce\":\"{nonce}\"}}"
            : $"{{\"access_key\":\"{accessKey}\",\"nonce\":\"{nonce}\",\"query_hash\":\"{Sha512Hex(hashInput)}\",\"query_hash_alg\":\"SHA512\"}}";
        return Build(Header(alg), payload, secret, alg);
    }

    public static string Header(string alg) => $"{{\"alg\":\"{alg}\",\"typ\":\"JWT\"}}";

    public static string Sha512Hex(string text) => Convert.ToHexStringLower(SHA512.HashData(Encoding.UTF8.GetBytes(text)));

    public static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
