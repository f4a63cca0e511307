using Appliance.Common;

namespace Appliance.Upbit;

/// <summary>The HMAC used to sign Upbit JWTs. HS512 is what Upbit's prose asks for; HS256 is what most samples send.</summary>
public enum JwtAlgorithm
{
    [WireName("HS512")] HS512,
    [WireName("HS256")] HS256,
}

/// <summary>The JWT header's names (exact case), through <see cref="Wire"/>.</summary>
public static class JwtAlgorithms
{
    public static string ToWire(JwtAlgorithm alg) => Wire.Name(alg);

    public static bool TryParse(string? text, out JwtAlgorithm alg) => Wire.TryParse(text, out alg);

    /// <summary>Parses "HS512" or "HS256" (exact case, as in the JWT header).</summary>
    public static JwtAlgorithm Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (TryParse(text, out var alg)) return alg;
        throw new ArgumentException($"Unknown JWT algorithm '{Refusals.Echo(text)}'; use HS512 or HS256.", nameof(text));
    }
}
