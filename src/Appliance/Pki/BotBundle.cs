extern alias bot;

using System.Security.Cryptography.X509Certificates;
using bot::Appliance.Client;
using System.Text.Json;
using System.Text.Json.Nodes;
using Appliance.Common;

namespace Appliance.Pki;

/// <summary>
/// Writes what a bot needs to reach the appliance: a directory with ca.pem (the server's trust
/// anchor), bot.pem, bot.key (0600) and bot.json ({"endpoint": "https://host:port", "bot": "NAME"}).
/// Bots (and the <c>sign</c> command) read it with Appliance.Client.ApplianceBundle.
/// </summary>
public static class BotBundle
{
    public const string CaFileName = ApplianceBundle.CaFileName;
    public const string CertificateFileName = ApplianceBundle.CertificateFileName;
    public const string KeyFileName = ApplianceBundle.KeyFileName;
    public const string ManifestFileName = ApplianceBundle.ManifestFileName;

    /// <summary>
    /// Writes the four files into <paramref name="dir"/>. A new directory is created 0700; an
    /// existing one keeps its mode (it may be the operator's own folder), the key file is 0600 either way.
    /// </summary>
    public static void Write(string dir, Uri endpoint, string botName, X509Certificate2 clientCertificate, X509Certificate2 caCertificate)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dir);
        var endpointText = NormalizeEndpoint(endpoint, nameof(endpoint));
        ArgumentException.ThrowIfNullOrWhiteSpace(botName);
        ArgumentNullException.ThrowIfNull(clientCertificate);
        ArgumentNullException.ThrowIfNull(caCertificate);
        if (!clientCertificate.HasPrivateKey)
            throw new ArgumentException("The bot certificate must carry its private key.", nameof(clientCertificate));

        AtomicFile.CreatePrivateDirectory(dir);
        PemFiles.WriteCertificate(Path.Combine(dir, CaFileName), caCertificate);
        PemFiles.WritePrivateKey(Path.Combine(dir, KeyFileName), clientCertificate);
        PemFiles.WriteCertificate(Path.Combine(dir, CertificateFileName), clientCertificate);
        var manifest = new JsonObject { ["endpoint"] = endpointText, ["bot"] = botName };
        AtomicFile.WriteAllText(Path.Combine(dir, ManifestFileName), manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    private static string NormalizeEndpoint(Uri endpoint, string paramName)
    {
        ArgumentNullException.ThrowIfNull(endpoint, paramName);
        if (!endpoint.IsAbsoluteUri || endpoint.Scheme != Uri.UriSchemeHttps || string.IsNullOrEmpty(endpoint.Host))
            throw new ArgumentException($"The endpoint must be https://host:port, not '{endpoint}'.", paramName);
        if (endpoint.AbsolutePath != "/" || endpoint.Query.Length > 0 || endpoint.Fragment.Length > 0 || endpoint.UserInfo.Length > 0)
            throw new ArgumentException($"The endpoint must be only https://host:port (no path, query or user), not '{endpoint}'.", paramName);
        // Always spell the port, as bot.json promises host:port.
        return $"https://{endpoint.Host}:{endpoint.Port}";
    }
}
