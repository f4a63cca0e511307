using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Appliance.Common;

namespace Appliance.Pki;

/// <summary>
/// The appliance's own certificate authority (ECDSA P-256, SHA-256). It issues the gRPC server
/// certificate and one client certificate per bot. Owns its private key: dispose it when done.
/// </summary>
public sealed class ApplianceCa : IDisposable
{
    public const string CertificateFileName = "ca.pem";
    public const string KeyFileName = "ca.key";

    public static readonly TimeSpan CaValidity = TimeSpan.FromDays(3652);
    public static readonly TimeSpan DefaultServerValidity = TimeSpan.FromDays(730);
    public static readonly TimeSpan DefaultBotValidity = TimeSpan.FromDays(365);

    /// <summary>Certificates start this much before "now" so a peer whose clock runs a little behind accepts them.</summary>
    internal static readonly TimeSpan Backdate = TimeSpan.FromHours(1);

    private const string CreateHint = "run appliance init or appliance demo to create the CA";

    private readonly X509Certificate2 _caWithKey;
    private readonly TimeProvider _time;

    private ApplianceCa(X509Certificate2 caWithKey, TimeProvider time)
    {
        _caWithKey = caWithKey;
        _time = time;
        Certificate = X509CertificateLoader.LoadCertificate(caWithKey.RawData);
    }

    /// <summary>The CA certificate without its private key: the trust anchor to hand out.</summary>
    public X509Certificate2 Certificate { get; }

    public static ApplianceCa Create(string commonName, TimeProvider time)
    {
        CertificateNames.RequireCommonName(commonName, nameof(commonName));
        ArgumentNullException.ThrowIfNull(time);

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = CertificateNames.Subject(commonName, "appliance");
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var ski = new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(
            certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(ski);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(ski));

        var now = WholeSeconds(time.GetUtcNow());
        using var unsigned = request.Create(
            subject, X509SignatureGenerator.CreateForECDsa(key), now - Backdate, now + CaValidity, NewSerialNumber());
        return new ApplianceCa(unsigned.CopyWithPrivateKey(key), time);
    }

    public static ApplianceCa Load(string caDir) => Load(caDir, TimeProvider.System);

    public static ApplianceCa Load(string caDir, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(caDir);
        ArgumentNullException.ThrowIfNull(time);
        var certPath = Path.Combine(caDir, CertificateFileName);
        var keyPath = Path.Combine(caDir, KeyFileName);
        var ca = PemFiles.LoadCertificateWithKey(certPath, keyPath, CreateHint);
        var basic = ca.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        var usage = ca.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        using var ecKey = ca.GetECDsaPrivateKey();
        if (basic is not { CertificateAuthority: true } || usage is null
            || !usage.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign) || ecKey is null)
        {
            ca.Dispose();
            throw new InvalidOperationException(
                $"{certPath} is not an appliance CA certificate (ECDSA, CA:true, keyCertSign); {CreateHint}.");
        }
        return new ApplianceCa(ca, time);
    }

    /// <summary>True when either CA file exists in <paramref name="caDir"/>.</summary>
    public static bool Exists(string caDir)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(caDir);
        return File.Exists(Path.Combine(caDir, CertificateFileName)) || File.Exists(Path.Combine(caDir, KeyFileName));
    }

    /// <summary>
    /// Writes ca.key (PKCS#8 PEM, 0600) then ca.pem into <paramref name="caDir"/> (0700). Refuses to
    /// overwrite an existing CA: that would orphan every certificate it issued.
    /// </summary>
    public void Save(string caDir)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(caDir);
        if (Exists(caDir))
            throw new InvalidOperationException(
                $"A CA already exists in {caDir}; load it instead, or move the directory away to start over (every bot bundle must then be re-issued).");
        AtomicFile.CreatePrivateDirectory(caDir);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(caDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        PemFiles.WritePrivateKey(Path.Combine(caDir, KeyFileName), _caWithKey);
        PemFiles.WriteCertificate(Path.Combine(caDir, CertificateFileName), _caWithKey);
    }

    public X509Certificate2 IssueServerCertificate(ServerNames names) =>
        IssueServerCertificate(names.DnsNames, names.IpAddresses, DefaultServerValidity);

    public X509Certificate2 IssueServerCertificate(IEnumerable<string> dnsNames, IEnumerable<IPAddress> ipAddresses) =>
        IssueServerCertificate(dnsNames, ipAddresses, DefaultServerValidity);

    /// <summary>
    /// A TLS server certificate (EKU serverAuth) whose SAN lists every given name and address plus
    /// localhost, 127.0.0.1 and ::1. Returned with its private key.
    /// </summary>
    public X509Certificate2 IssueServerCertificate(
        IEnumerable<string> dnsNames, IEnumerable<IPAddress> ipAddresses, TimeSpan validity)
    {
        ArgumentNullException.ThrowIfNull(dnsNames);
        ArgumentNullException.ThrowIfNull(ipAddresses);
        var san = CertificateNames.SubjectAlternativeName(dnsNames, ipAddresses);
        return IssueLeaf(CertificateNames.Subject("appliance", "appliance-server"), CertificatePurpose.ServerAuth, san, validity);
    }

    public X509Certificate2 IssueBotCertificate(string botName) => IssueBotCertificate(botName, DefaultBotValidity);

    /// <summary>A TLS client certificate CN=botName, O=appliance-bot (EKU clientAuth), with its private key.</summary>
    public X509Certificate2 IssueBotCertificate(string botName, TimeSpan validity)
    {
        CertificateNames.RequireCommonName(botName, nameof(botName));
        return IssueLeaf(CertificateNames.Subject(botName, CertificateNames.BotOrganization), CertificatePurpose.ClientAuth, null, validity);
    }

    private X509Certificate2 IssueLeaf(
        X500DistinguishedName subject, CertificatePurpose purpose, X509Extension? san, TimeSpan validity)
    {
        if (validity <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(validity), validity, "The validity must be positive.");
        var now = WholeSeconds(_time.GetUtcNow());
        var caNotBefore = new DateTimeOffset(_caWithKey.NotBefore);
        var caNotAfter = new DateTimeOffset(_caWithKey.NotAfter);
        if (now >= caNotAfter)
            throw new InvalidOperationException(
                $"The appliance CA expired on {caNotAfter:yyyy-MM-dd}; create a new CA with appliance init and re-issue every bot bundle.");
        if (now < caNotBefore)
            throw new InvalidOperationException(
                $"The clock ({now:u}) is before the CA's start ({caNotBefore:u}); set the system clock and try again.");

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            new OidCollection { CertificatePurposes.Oid(purpose) }, critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(
            _caWithKey, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        if (san is not null) request.CertificateExtensions.Add(san);

        // The leaf must sit inside the CA's validity or chain building rejects it.
        var notBefore = Max(now - Backdate, caNotBefore);
        var notAfter = Min(now + validity, caNotAfter);
        using var unsigned = request.Create(_caWithKey, notBefore, notAfter, NewSerialNumber());
        return unsigned.CopyWithPrivateKey(key);
    }

    /// <summary>16 random bytes, top bit clear (positive) and second-highest set (no redundant leading zero).</summary>
    private static byte[] NewSerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x40);
        return serial;
    }

    private static DateTimeOffset WholeSeconds(DateTimeOffset t) =>
        new(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    public void Dispose()
    {
        Certificate.Dispose();
        _caWithKey.Dispose();
    }

    public override string ToString() => $"ApplianceCa({_caWithKey.Subject})";
}
