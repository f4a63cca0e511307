using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Appliance.Common;
using Appliance.Panel;
using Appliance.Pipeline;
using Appliance.Upbit;

namespace Appliance.Config;

/// <summary>
/// Server options stored in DATA_DIR/appliance.json: only what an operator can set (docs/configuration.md).
/// Unknown keys are refused by name, so a typo is not ignored (<see cref="ConfigKeys"/>).
/// </summary>
public sealed record ApplianceConfig
{
    [JsonPropertyName("listen")] public IReadOnlyList<string> Listen { get; init; } = ["127.0.0.1:50051"];

    /// <summary>The address written into bot bundles; defaults to the first listen address.</summary>
    [JsonPropertyName("endpoint")] public string? Endpoint { get; init; }

    [JsonPropertyName("jwt_alg")] public string JwtAlgorithm { get; init; } = "HS512";

    [JsonPropertyName("clock_skew_seconds")] public double ClockSkewSeconds { get; init; } = 5;

    /// <summary>Upbit's limits per pocket and group; the old top-level order_rate_per_second is read as rates.order_per_second.</summary>
    [JsonPropertyName("rates")] public RateOptions Rates { get; init; } = new();

    /// <summary>Upbit's API base URL: only Upbit's own hosts over https (see Upstream/UpstreamOptions); null: https://api.upbit.com.</summary>
    [JsonPropertyName("upbit_url")] public string? UpbitUrl { get; init; }

    /// <summary>Serve gRPC reflection (for grpcurl while developing); off by default.</summary>
    [JsonPropertyName("grpc_reflection")] public bool GrpcReflection { get; init; }

    [JsonPropertyName("panel")] public string Panel { get; init; } = "gpio";

    /// <summary>The GPIO panel's wiring and display (docs/panel.md); defaults are the documented wiring.</summary>
    [JsonPropertyName("panel_options")] public PanelOptions PanelOptions { get; init; } = new();

    /// <summary>True for a data dir made by <c>demo</c>: software token, test panel allowed.</summary>
    [JsonPropertyName("demo")] public bool Demo { get; init; }

    /// <summary>Which requests wait for a physical approval, and for how long.</summary>
    [JsonPropertyName("approval")] public Approval.ApprovalOptions Approval { get; init; } = new();

    /// <summary>The file (mode 0600) holding the token PIN, written by <c>init --pin-file</c>; <c>serve --pin-file</c> overrides it.</summary>
    [JsonPropertyName("pin_file")] public string? PinFile { get; init; }

    /// <summary>HOST:PORT of the Prometheus endpoint (plain HTTP: keep it on 127.0.0.1); null turns it off.</summary>
    [JsonPropertyName("metrics")] public string? Metrics { get; init; } = "127.0.0.1:9464";

    /// <summary>Alert thresholds and the optional webhook (docs/audit.md).</summary>
    [JsonPropertyName("alerts")] public Alerts.AlertOptions Alerts { get; init; } = new();

    /// <summary>How long a new withdrawal address waits before a bot may use it: "24h", "90m", "0s" (signed with the policy keys).</summary>
    [JsonPropertyName("cooling_off")] public string CoolingOff { get; init; } = Policy.CoolingOff.Default;

    [JsonIgnore] public TimeSpan CoolingOffPeriod => Policy.CoolingOff.Parse(CoolingOff);

    /// <summary>Audit log segments, compression, retention and the disk alert (docs/audit.md).</summary>
    [JsonPropertyName("audit")] public Audit.AuditRetentionOptions Audit { get; init; } = new();

    /// <summary>What <see cref="Load"/> found worth a warning (old keys it ignored or moved): the caller logs each once.</summary>
    [JsonIgnore] public IReadOnlyList<string> Warnings { get; init; } = [];

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(), // ConfigKeys reads the contract
    };

    public static ApplianceConfig Load(string path)
    {
        try
        {
            if (JsonNode.Parse(File.ReadAllText(path)) is not JsonObject root)
                throw new InvalidDataException($"{path} must hold one JSON object {{ … }}; fix the file or restore it from a backup.");
            var warnings = ConfigKeys.Check(root, Json, path);
            var config = root.Deserialize<ApplianceConfig>(Json) ?? throw new InvalidDataException($"{path} is empty.");
            config = config with { Warnings = warnings };
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
        Rates.Validate();

        Alerts.Validate();
        Audit.Validate();
        if (Metrics is not null) ListenAddress.Parse(Metrics);
        if (ClockSkewSeconds is <= 0 or > 300)
            throw new ArgumentException("appliance.json: 'clock_skew_seconds' must be between 0 and 300.");
        Approval.Validate();
        Policy.CoolingOff.Parse(CoolingOff);
        PanelOptions.Validate();
        Upstream.UpstreamOptions.For(UpbitUrl, insecureTestUpstream: false);
    }

    public SignerOptions ToSignerOptions() => new()
    {
        ClockSkew = TimeSpan.FromSeconds(ClockSkewSeconds),
        JwtAlgorithm = JwtAlgorithms.Parse(JwtAlgorithm),
    };

    public UpbitRates ToUpbitRates() => Rates.ToUpbitRates();

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
