using System.Numerics;
using System.Security.Cryptography;

namespace Appliance.Sealing;

/// <summary>
/// The uncompressed P-256 point encoding (0x04 || X || Y, 65 bytes) used for token public keys and
/// ephemeral keys. Validation is done here, in managed code, so that an off-curve point is refused
/// the same way whatever crypto library sits underneath (an invalid-curve point would leak key bits).
/// </summary>
public static class P256Point
{
    public const int Length = 65;
    public const int CoordinateLength = 32;

    // Curve P-256 (FIPS 186-4 D.1.2.3): y^2 = x^3 - 3x + b over GF(p). Cofactor 1, so every
    // on-curve point other than infinity (which has no uncompressed encoding) is in the group.
    private static readonly BigInteger P = BigInteger.Parse(
        "0FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF",
        System.Globalization.NumberStyles.HexNumber);
    private static readonly BigInteger B = BigInteger.Parse(
        "05AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B",
        System.Globalization.NumberStyles.HexNumber);

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="point"/> is a valid uncompressed P-256 point.</summary>
    public static void Validate(ReadOnlySpan<byte> point, string paramName)
    {
        if (point.Length != Length)
            throw new ArgumentException($"A P-256 public key must be the {Length}-byte uncompressed point; got {point.Length} bytes.", paramName);
        if (point[0] != 0x04)
            throw new ArgumentException($"A P-256 public key must start with 0x04 (uncompressed); got 0x{point[0]:x2}.", paramName);
        var x = new BigInteger(point.Slice(1, CoordinateLength), isUnsigned: true, isBigEndian: true);
        var y = new BigInteger(point.Slice(1 + CoordinateLength, CoordinateLength), isUnsigned: true, isBigEndian: true);
        if (x >= P || y >= P)
            throw new ArgumentException("The P-256 public key has a coordinate outside the field.", paramName);
        var left = BigInteger.ModPow(y, 2, P);
        var right = ((BigInteger.ModPow(x, 3, P) - 3 * x + B) % P + P) % P;
        if (left != right)
            throw new ArgumentException("The P-256 public key is not a point on the curve.", paramName);
    }

    /// <summary>Validates the point and returns it as public-key parameters for ECDiffieHellman/ECDsa.</summary>
    public static ECParameters ToPublicParameters(ReadOnlySpan<byte> point, string paramName)
    {
        Validate(point, paramName);
        return new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint
            {
                X = point.Slice(1, CoordinateLength).ToArray(),
                Y = point.Slice(1 + CoordinateLength, CoordinateLength).ToArray(),
            },
        };
    }

    /// <summary>Encodes the public point of <paramref name="key"/> as 0x04 || X || Y.</summary>
    public static byte[] Encode(ECAlgorithm key)
    {
        var q = key.ExportParameters(includePrivateParameters: false).Q;
        if (q.X is not { Length: CoordinateLength } || q.Y is not { Length: CoordinateLength })
            throw new ArgumentException("The key is not a P-256 key.", nameof(key));
        var point = new byte[Length];
        point[0] = 0x04;
        q.X.CopyTo(point, 1);
        q.Y.CopyTo(point, 1 + CoordinateLength);
        return point;
    }
}
