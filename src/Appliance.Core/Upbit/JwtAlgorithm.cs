namespace Appliance.Upbit;

/// <summary>The HMAC used to sign Upbit JWTs. HS512 is what Upbit's prose asks for; HS256 is what most samples send.</summary>
public enum JwtAlgorithm
{
    HS512,
    HS256,
}

public static class JwtAlgorithms
{
    public static string ToWire(JwtAlgorithm alg) => alg switch
    {
        JwtAlgorithm.HS512 => "HS512",
        JwtAlgorithm.HS256 => "HS256",
        _ => throw new ArgumentOutOfRangeException(nameof(alg), alg, "Not a defined JwtAlgorithm value."),
    };

    public static bool TryParse(string? text, out JwtAlgorithm alg)
    {
        switch (text)
        {
            case "HS512": alg = JwtAlgorithm.HS512; return true;
            case "HS256": alg = JwtAlgorithm.HS256; return true;
            default: alg = default; return false;
        }
    }

    /// <summary>Parses "HS512" or "HS256" (exact case, as in the JWT header).</summary>
    public static JwtAlgorithm Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (TryParse(text, out var alg)) return alg;
        throw new ArgumentException($"Unknown JWT algorithm '{text}'; use HS512 or HS256.", nameof(text));
    }
}
