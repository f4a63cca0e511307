using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Devices.Tokens;

/// <summary>Encodings of P-256 points and parameters as PKCS#11 tokens present them.</summary>
internal static class Pkcs11EcPoint
{
    public const int UncompressedLength = 65;

    /// <summary>CKA_EC_PARAMS for P-256: the DER OID 1.2.840.10045.3.1.7 (prime256v1).</summary>
    public static readonly byte[] P256Params = [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];

    /// <summary>
    /// CKA_EC_POINT is specified as a DER OCTET STRING around the point (04 41 04 X Y); some modules
    /// return the bare point. Accept both, return the bare 65 bytes.
    /// </summary>
    public static byte[] FromEcPointAttribute(byte[] value)
    {
        if (value.Length == UncompressedLength && value[0] == 0x04) return value;
        if (value.Length == UncompressedLength + 2 && value[0] == 0x04 && value[1] == UncompressedLength && value[2] == 0x04)
            return value[2..];
        throw new InvalidOperationException(
            $"The token returned a public key in an unexpected encoding ({value.Length} bytes); expected an uncompressed P-256 point. Re-create the key as ECC P-256.");
    }

    /// <summary>The public point of a DER X.509 certificate holding a P-256 key.</summary>
    public static byte[] FromCertificate(byte[] certificateDer)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(certificateDer);
        using var ecdsa = certificate.GetECDsaPublicKey()
            ?? throw new InvalidOperationException("The token's certificate does not hold an EC key; re-create the key as ECC P-256.");
        var parameters = ecdsa.ExportParameters(includePrivateParameters: false);
        if (parameters.Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            throw new InvalidOperationException("The token's certificate holds a key on a curve other than P-256; re-create the key as ECC P-256.");
        return [0x04, .. parameters.Q.X!, .. parameters.Q.Y!];
    }

    /// <summary>Rejects anything but an uncompressed point that lies on P-256 (no invalid-curve points reach the token).</summary>
    public static void RequireValidP256(ReadOnlySpan<byte> point, string paramName)
    {
        if (point.Length != UncompressedLength || point[0] != 0x04)
            throw new ArgumentException($"Expected an uncompressed P-256 point (65 bytes starting 0x04), got {point.Length} bytes.", paramName);
        try
        {
            using var key = ECDiffieHellman.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = point[1..33].ToArray(), Y = point[33..].ToArray() },
            });
        }
        catch (CryptographicException)
        {
            throw new ArgumentException("The peer public key is not a point on P-256.", paramName);
        }
    }
}
