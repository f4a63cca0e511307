using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Appliance.Client;

/// <summary>
/// A bot bundle as written by <c>appliance bots add</c>: ca.pem (the appliance's CA, trust anchor
/// for the server), bot.pem + bot.key (this bot's client certificate) and bot.json (endpoint, name).
/// The one loader for bundles, used by bots and by the appliance's own <c>sign</c> command.
/// Owns the certificates; dispose it when done.
/// </summary>
public sealed class ApplianceBundle : IDisposable
{
    public const string CaFileName = "ca.pem";
    public const string CertificateFileName = "bot.pem";
    public const string KeyFileName = "bot.key";
    public const string ManifestFileName = "bot.json";

    private const string Fix = "re-create the bundle with 'appliance bots add NAME --out DIR' or 'appliance bots renew NAME'";

    private ApplianceBundle(Uri endpoint, string bot, X509Certificate2 clientCertificate, X509Certificate2 ca)
    {
        Endpoint = endpoint;
        Bot = bot;
        ClientCertificate = clientCertificate;
        CaCertificate = ca;
    }

    /// <summary>The appliance's gRPC address, e.g. https://192.168.1.20:50051.</summary>
    public Uri Endpoint { get; }

    public string Bot { get; }

    /// <summary>The bot's client certificate, with its private key.</summary>
    public X509Certificate2 ClientCertificate { get; }

    /// <summary>The appliance CA: trust exactly this for the server certificate.</summary>
    public X509Certificate2 CaCertificate { get; }

    public static ApplianceBundle Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!Directory.Exists(directory))
            throw new InvalidOperationException($"The bot bundle directory {directory} does not exist; {Fix}.");
        var (endpoint, bot) = ReadManifest(Path.Combine(directory, ManifestFileName));
        var ca = LoadCa(Path.Combine(directory, CaFileName));
        try
        {
            return new ApplianceBundle(endpoint, bot, LoadClient(directory), ca);
        }
        catch
        {
            ca.Dispose();
            throw;
        }
    }

    private static (Uri, string) ReadManifest(string path)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(ReadRequired(path)); }
        catch (JsonException e) { throw new InvalidOperationException($"{path} is not valid JSON; {Fix}.", e); }
        var endpoint = StringField(root, "endpoint", path);
        var bot = StringField(root, "bot", path);
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps || string.IsNullOrEmpty(uri.Host))
            throw new InvalidOperationException($"{path}: \"endpoint\" must be https://host:port, not '{endpoint}'; {Fix}.");
        return (uri, bot);
    }

    private static string StringField(JsonNode? root, string name, string path) =>
        root is JsonObject obj && obj[name] is JsonValue value && value.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s)
            ? s
            : throw new InvalidOperationException($"{path} has no \"{name}\" string; {Fix}.");

    private static X509Certificate2 LoadCa(string path)
    {
        try { return X509Certificate2.CreateFromPem(Encoding.UTF8.GetString(ReadRequired(path))); }
        catch (CryptographicException e) { throw new InvalidOperationException($"{path} is not a PEM certificate; {Fix}.", e); }
    }

    private static X509Certificate2 LoadClient(string directory)
    {
        var certificatePath = Path.Combine(directory, CertificateFileName);
        var keyPath = Path.Combine(directory, KeyFileName);
        var certificatePem = Encoding.UTF8.GetString(ReadRequired(certificatePath));
        var keyBytes = ReadRequired(keyPath);
        var keyChars = GC.AllocateArray<char>(Encoding.UTF8.GetCharCount(keyBytes), pinned: true);
        try
        {
            Encoding.UTF8.GetChars(keyBytes, keyChars);
            return X509Certificate2.CreateFromPem(certificatePem, keyChars);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            // Not e.Message: it must never echo key material.
            throw new InvalidOperationException($"{keyPath} is not a PEM private key matching {certificatePath}; {Fix}.");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keyBytes);
            Array.Clear(keyChars);
        }
    }

    private static byte[] ReadRequired(string path)
    {
        try { return File.ReadAllBytes(path); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InvalidOperationException($"{path} is missing; {Fix}.", e);
        }
    }

    public void Dispose()
    {
        ClientCertificate.Dispose();
        CaCertificate.Dispose();
    }

    public override string ToString() => $"ApplianceBundle({Bot} -> {Endpoint})";
}
