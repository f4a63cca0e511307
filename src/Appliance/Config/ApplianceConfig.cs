using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Appliance.Common;
using Appliance.Panel;
using Appliance.Signing;
using Appliance.Upbit;

namespace Appliance.Config;

/// <summary>Server options stored in DATA_DIR/appliance.json. Unknown fields are refused, so a typo is not ignored.</summary>
public sealed record ApplianceConfig
{
    [JsonPropertyName("listen")] public IReadOnlyList<string> Listen { get; init; } = ["127.0.0.1:50051"];

    /// <summary>The address written into bot bundles; defaults to the first listen address.</summary>
    [JsonPropertyName("endpoint")] public string? Endpoint { get; init; }

    [JsonPropertyName("jwt_alg")] public string JwtAlgorithm { get; init; } = "HS512";

    [JsonPropertyName("clock_skew_seconds")] public double ClockSkewSeconds { get; init; } = 5;

    [JsonPropertyName("panel")] public string Panel { get; init; } = "gpio";

    /// <summary>The GPIO panel's wiring and display (docs/panel.md); defaults are the documented wiring.</summary>
    [JsonPropertyName("panel_options")] public PanelOptions PanelOptions { get; init; } = new();

    /// <summary>True for a data dir made by <c>demo</c>: software token, test panel allowed.</summary>
    [JsonPropertyName("demo")] public bool Demo { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static ApplianceConfig Load(string path)
    {
        try
        {
            var config = JsonSerializer.Deserialize<ApplianceConfig>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"{path} is empty.");
            config.Validate();
            return config;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid ({e.Message}); fix the file or restore it from a backup.", e);
        }
    }

    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    public void Validate()
    {
        if (Listen.Count == 0) throw new ArgumentException("appliance.json: 'listen' needs at least one HOST:PORT.");
        foreach (var listen in Listen) ListenAddress.Parse(listen);
        JwtAlgorithms.Parse(JwtAlgorithm);
        if (ClockSkewSeconds is <= 0 or > 300)
            throw new ArgumentException("appliance.json: 'clock_skew_seconds' must be between 0 and 300.");
        PanelOptions.Validate();
    }

    public SignerOptions ToSignerOptions() => new()
    {
        ClockSkew = TimeSpan.FromSeconds(ClockSkewSeconds),
        JwtAlgorithm = JwtAlgorithms.Parse(JwtAlgorithm),
    };

    public string BundleEndpoint()
    {
        if (!string.IsNullOrEmpty(Endpoint)) return Endpoint;
        var first = ListenAddress.Parse(Listen[0]);
        var host = first.Address.Equals(IPAddress.Any) || first.Address.Equals(IPAddress.IPv6Any)
            ? Dns.GetHostName()
            : first.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
                ? $"[{first.Address}]"
                : first.Address.ToString();
        return $"https://{host}:{first.Port}";
    }
}

/// <summary>HOST:PORT where HOST is an IP address (IPv6 in brackets) or "localhost".</summary>
public static class ListenAddress
{
    public static IPEndPoint Parse(string value)
    {
        if (value.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase)
            && int.TryParse(value["localhost:".Length..], out var localPort) && localPort is >= 0 and < 65536)
            return new IPEndPoint(IPAddress.Loopback, localPort);
        if (IPEndPoint.TryParse(value, out var endPoint))
            return endPoint;
        throw new ArgumentException($"'{value}' is not a listen address; use IP:PORT such as 127.0.0.1:50051, 0.0.0.0:50051 or [::1]:50051.");
    }
}
