using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Appliance.Common;

namespace Appliance.Pki;

/// <summary>
/// PEM in and out for certificates and their PKCS#8 private keys. Key material passes through
/// locked native buffers (<see cref="SecretBytes"/>) that are zeroed afterwards; it never becomes a string.
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
        // DER and PEM are written into locked pages (.NET's export itself uses pooled buffers it clears);
        // a P-256 key is ~140 bytes of DER, an RSA-4096 key ~2.4 KB.
        using var der = SecretBytes.Allocate(4096);
        if (!key.TryExportPkcs8PrivateKey(der.WritableSpan, out var derLength))
            throw new ArgumentException("The private key is too large to export.", nameof(certificateWithKey));
        var pemLength = PemEncoding.GetEncodedSize("PRIVATE KEY".Length, derLength);
        var pem = SecretBytes.Allocate(pemLength + 1);
        try
        {
            if (!PemEncoding.TryWriteUtf8("PRIVATE KEY"u8, der.Span[..derLength], pem.WritableSpan, out var written) || written != pemLength)
                throw new InvalidOperationException("PEM encoding of the private key failed.");
            pem.WritableSpan[pemLength] = (byte)'\n';
            return pem;
        }
        catch
        {
            pem.Dispose();
            throw;
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

    /// <summary>Loads a certificate and its PKCS#8 (or SEC1/PKCS#1) PEM private key; the key text passes only through locked pages.</summary>
    /// <param name="fix">What the user should do when a file is missing or unreadable.</param>
    public static X509Certificate2 LoadCertificateWithKey(string certificatePath, string keyPath, string fix)
    {
        var certPem = Encoding.UTF8.GetString(ReadRequired(certificatePath, fix));
        using var keyBytes = ReadRequiredSecret(keyPath, fix);
        using var keyChars = SecretBytes.Allocate(Encoding.UTF8.GetCharCount(keyBytes.Span) * sizeof(char));
        var chars = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, char>(keyChars.WritableSpan);
        try
        {
            Encoding.UTF8.GetChars(keyBytes.Span, chars);
            return X509Certificate2.CreateFromPem(certPem, chars);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            // Do not pass on e.Message: it is generic and we must not echo key material.
            throw Corrupt(keyPath, $"is not a PEM private key matching the certificate in {certificatePath}", fix);
        }
    }

    /// <summary>
    /// A PEM private key is at most a few KB (P-256: ~250 bytes, RSA-4096: ~3.3 KB); the read buffer is
    /// this plus one, so it takes exactly 16 KiB of locked memory while the key is read.
    /// </summary>
    private const int MaxKeyFileLength = 16 * 1024 - 1;

    private static SecretBytes ReadRequiredSecret(string path, string fix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new InvalidOperationException($"{path} is missing; {fix}.");
        try
        {
            return SecretFile.Read(path, "private key", MaxKeyFileLength);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new InvalidOperationException($"{path} cannot be read (permission denied); run as the appliance user or fix its owner.", e);
        }
        catch (ArgumentException)
        {
            throw Corrupt(path, "is empty or too large to be a PEM private key", fix);
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
