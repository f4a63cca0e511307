using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Appliance.Common;

namespace Appliance.Pki;

/// <summary>
/// PEM in and out for certificates and their PKCS#8 private keys. Key material passes through
/// byte/char buffers that are zeroed afterwards; it never becomes a string.
/// On Linux the certificate-with-key objects returned here work directly with SslStream and
/// Kestrel (ephemeral keys are fine there; the loopback mutual-TLS test proves it), so no
/// PKCS#12 re-import is done.
/// </summary>
public static class PemFiles
{
    public static string CertificatePem(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.ExportCertificatePem();
    }

    /// <summary>The certificate's private key as PKCS#8 PEM ("PRIVATE KEY"), UTF-8, in a zeroing buffer.</summary>
    public static SecretBytes PrivateKeyPemUtf8(X509Certificate2 certificateWithKey)
    {
        ArgumentNullException.ThrowIfNull(certificateWithKey);
        if (!certificateWithKey.HasPrivateKey)
            throw new ArgumentException("The certificate has no private key to export.", nameof(certificateWithKey));
        using AsymmetricAlgorithm key = (AsymmetricAlgorithm?)certificateWithKey.GetECDsaPrivateKey()
            ?? certificateWithKey.GetRSAPrivateKey()
            ?? throw new ArgumentException("Only ECDSA and RSA private keys can be exported.", nameof(certificateWithKey));
        var der = key.ExportPkcs8PrivateKey();
        char[]? pem = null;
        try
        {
            pem = PemEncoding.Write("PRIVATE KEY", der);
            var utf8 = new byte[Encoding.UTF8.GetByteCount(pem) + 1];
            Encoding.UTF8.GetBytes(pem, utf8);
            utf8[^1] = (byte)'\n';
            return SecretBytes.TakeFrom(utf8);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
            if (pem is not null) Array.Clear(pem);
        }
    }

    public static void WriteCertificate(string path, X509Certificate2 certificate) =>
        AtomicFile.WriteAllText(path, CertificatePem(certificate));

    /// <summary>Writes the PKCS#8 PEM private key with mode 0600 (AtomicFile creates files that way).</summary>
    public static void WritePrivateKey(string path, X509Certificate2 certificateWithKey)
    {
        using var pem = PrivateKeyPemUtf8(certificateWithKey);
        AtomicFile.WriteAllBytes(path, pem.Span);
    }

    /// <summary>Loads the first certificate in a PEM file (public part only).</summary>
    /// <param name="fix">What the user should do when the file is missing or unreadable.</param>
    public static X509Certificate2 LoadCertificate(string path, string fix)
    {
        var text = ReadRequired(path, fix);
        try
        {
            return X509Certificate2.CreateFromPem(Encoding.UTF8.GetString(text));
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw Corrupt(path, "does not hold a PEM certificate", fix);
        }
    }

    /// <summary>Loads a certificate and its PKCS#8 (or SEC1/PKCS#1) PEM private key.</summary>
    /// <param name="fix">What the user should do when a file is missing or unreadable.</param>
    public static X509Certificate2 LoadCertificateWithKey(string certificatePath, string keyPath, string fix)
    {
        var certPem = Encoding.UTF8.GetString(ReadRequired(certificatePath, fix));
        var keyBytes = ReadRequired(keyPath, fix);
        var keyChars = GC.AllocateArray<char>(Encoding.UTF8.GetCharCount(keyBytes), pinned: true);
        try
        {
            Encoding.UTF8.GetChars(keyBytes, keyChars);
            return X509Certificate2.CreateFromPem(certPem, keyChars);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            // Do not pass on e.Message: it is generic and we must not echo key material.
            throw Corrupt(keyPath, $"is not a PEM private key matching the certificate in {certificatePath}", fix);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keyBytes);
            Array.Clear(keyChars);
        }
    }

    private static byte[] ReadRequired(string path, string fix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InvalidOperationException($"{path} is missing; {fix}.", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new InvalidOperationException($"{path} cannot be read (permission denied); run as the appliance user or fix its owner.", e);
        }
    }

    private static InvalidOperationException Corrupt(string path, string problem, string fix) =>
        new($"{path} {problem}; {fix}.");
}
