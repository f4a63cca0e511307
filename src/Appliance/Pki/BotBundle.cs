using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Appliance.Common;

namespace Appliance.Pki;

/// <summary>
/// What a bot needs to reach the appliance: a directory with ca.pem (the server's trust anchor),
/// bot.pem, bot.key (0600) and bot.json ({"endpoint": "https://host:port", "bot": "NAME"}).
/// A loaded bundle owns its certificates: dispose it when done.
/// </summary>
public sealed class BotBundle : IDisposable
{
    public const string CaFileName = "ca.pem";
    public const string CertificateFileName = "bot.pem";
    public const string KeyFileName = "bot.key";
    public const string ManifestFileName = "bot.json";

    private const string ReissueHint = "re-create the bundle with appliance bots add NAME --out DIR or appliance bots renew NAME";

    private BotBundle(Uri endpoint, string botName, X509Certificate2 clientCertificate, X509Certificate2 caCertificate)
    {
        Endpoint = endpoint;
        BotName = botName;
        ClientCertificate = clientCertificate;
        CaCertificate = caCertificate;
    }

    /// <summary>The appliance's gRPC address, e.g. https://192.168.1.20:50051.</summary>
    public Uri Endpoint { get; }

    public string BotName { get; }

    /// <summary>The bot's client certificate, with its private key.</summary>
    public X509Certificate2 ClientCertificate { get; }

    /// <summary>The appliance CA: trust exactly this for the server certificate.</summary>
    public X509Certificate2 CaCertificate { get; }

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

    public static BotBundle Load(string dir)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dir);
        if (!Directory.Exists(dir))
            throw new InvalidOperationException($"The bot bundle directory {dir} does not exist; {ReissueHint}.");
        var (endpoint, botName) = ReadManifest(Path.Combine(dir, ManifestFileName));
        var ca = PemFiles.LoadCertificate(Path.Combine(dir, CaFileName), ReissueHint);
        try
        {
            var client = PemFiles.LoadCertificateWithKey(
                Path.Combine(dir, CertificateFileName), Path.Combine(dir, KeyFileName), ReissueHint);
            return new BotBundle(endpoint, botName, client, ca);
        }
        catch
        {
            ca.Dispose();
            throw;
        }
    }

    private static (Uri Endpoint, string BotName) ReadManifest(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InvalidOperationException($"{path} is missing; {ReissueHint}.", e);
        }

        JsonNode? root;
        try { root = JsonNode.Parse(text); }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"{path} is not valid JSON; {ReissueHint}.", e);
        }
        var endpoint = StringField(root, "endpoint", path);
        var bot = StringField(root, "bot", path);
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps || string.IsNullOrEmpty(uri.Host))
            throw new InvalidOperationException($"{path}: \"endpoint\" must be https://host:port, not '{endpoint}'; {ReissueHint}.");
        return (uri, bot);
    }

    private static string StringField(JsonNode? root, string name, string path)
    {
        if (root is JsonObject obj && obj[name] is JsonValue value && value.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s))
            return s;
        throw new InvalidOperationException($"{path} has no \"{name}\" string; {ReissueHint}.");
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

    public void Dispose()
    {
        ClientCertificate.Dispose();
        CaCertificate.Dispose();
    }

    public override string ToString() => $"BotBundle({BotName} -> {Endpoint})";
}
