using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Appliance.Client;

/// <summary>
/// A bot bundle as written by <c>appliance bots add</c>: ca.pem (the appliance's CA, trust anchor
/// for the server), bot.pem + bot.key (this bot's client certificate) and bot.json (endpoint, name).
/// Owns the certificates; dispose it when done.
/// </summary>
public sealed class ApplianceBundle : IDisposable
{
    private ApplianceBundle(Uri endpoint, string bot, X509Certificate2 clientCertificate, X509Certificate2 ca)
    {
        Endpoint = endpoint;
        Bot = bot;
        ClientCertificate = clientCertificate;
        CaCertificate = ca;
    }

    public Uri Endpoint { get; }
    public string Bot { get; }
    public X509Certificate2 ClientCertificate { get; }
    public X509Certificate2 CaCertificate { get; }

    public static ApplianceBundle Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string Need(string file)
        {
            var path = Path.Combine(directory, file);
            if (!File.Exists(path))
                throw new FileNotFoundException($"The bot bundle in {directory} has no {file}; copy the whole directory written by 'appliance bots add'.", path);
            return path;
        }

        var json = File.ReadAllText(Need("bot.json"));
        BundleInfo info;
        try
        {
            info = JsonSerializer.Deserialize<BundleInfo>(json) ?? throw new InvalidDataException("bot.json is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{Path.Combine(directory, "bot.json")} is not valid JSON ({e.Message}); re-issue the bundle with 'appliance bots renew'.", e);
        }
        if (string.IsNullOrEmpty(info.Bot) || !Uri.TryCreate(info.Endpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme != "https")
            throw new InvalidDataException($"bot.json in {directory} needs \"bot\" and an https \"endpoint\"; re-issue the bundle with 'appliance bots renew'.");

        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(Need("ca.pem")));
        var client = X509Certificate2.CreateFromPemFile(Need("bot.pem"), Need("bot.key"));
        return new ApplianceBundle(endpoint, info.Bot, client, ca);
    }

    public void Dispose()
    {
        ClientCertificate.Dispose();
        CaCertificate.Dispose();
    }

    private sealed record BundleInfo
    {
        [System.Text.Json.Serialization.JsonPropertyName("endpoint")] public string? Endpoint { get; init; }
        [System.Text.Json.Serialization.JsonPropertyName("bot")] public string? Bot { get; init; }
    }
}
