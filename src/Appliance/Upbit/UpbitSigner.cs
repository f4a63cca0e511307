namespace Appliance.Upbit;

/// <summary>The result of signing one REST request: the header plus the exact strings to send.</summary>
public sealed record SignedUpbitRequest(Endpoint Endpoint, CanonicalRequest Request, string Authorization, Guid Nonce);

/// <summary>Builds the canonical request and its JWT in one step, for requests already validated and authorized.</summary>
public static class UpbitSigner
{
    /// <summary>A fresh random nonce (UUID version 4); Upbit refuses a reused one with nonce_used.</summary>
    public static Guid NewNonce() => Guid.NewGuid();

    public static SignedUpbitRequest Sign(
        Endpoint endpoint,
        IReadOnlyList<UpbitParam> parameters,
        string accessKey,
        ReadOnlySpan<byte> secretUtf8,
        JwtAlgorithm alg,
        Guid nonce)
    {
        var request = CanonicalRequest.Build(endpoint, parameters);
        var jwt = UpbitJwt.Create(accessKey, secretUtf8, request.QueryString, nonce, alg);
        return new SignedUpbitRequest(endpoint, request, "Bearer " + jwt, nonce);
    }

    /// <summary>The Authorization header value for the private WebSocket handshake.</summary>
    public static string SignWebSocket(string accessKey, ReadOnlySpan<byte> secretUtf8, JwtAlgorithm alg, Guid nonce) =>
        "Bearer " + UpbitJwt.CreateForWebSocket(accessKey, secretUtf8, nonce, alg);
}
