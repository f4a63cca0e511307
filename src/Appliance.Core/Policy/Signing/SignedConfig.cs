using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Appliance.Common;

namespace Appliance.Policy;

/// <summary>One key of appliance.json whose value can widen power, and how it may change without a signature.</summary>
public sealed record SignedConfigKey(string Path, NarrowingRule MayChangeTo);

/// <summary>
/// The keys of appliance.json that widen power when changed, signed like a bot profile (record <c>config/appliance</c>).
/// Adding a key to the signed set is one line in <see cref="Keys"/>: its dotted path and its narrowing rule
/// (<see cref="NarrowingRules.Equal"/> when unsure: then any change needs the token).
/// </summary>
public static class SignedConfigKeys
{
    public static readonly IReadOnlyList<SignedConfigKey> Keys =
    [
        new("approval.order_notional_above", NarrowingRules.CapAtMost),          // lower: more orders wait
        new("approval.cancel_all", NarrowingRules.MayOnlyTurnOn),
        new("approval.deposit_krw", NarrowingRules.DefaultOnMayOnlyTurnOn),
        new("approval.travel_rule", NarrowingRules.DefaultOnMayOnlyTurnOn),
        new("approval.two_step", NarrowingRules.ThresholdsAtMost),              // button and touch above a threshold: lower or added narrows
        new("cooling_off", NarrowingRules.LongerWait),                          // how long a new withdrawal address waits: longer narrows
        new("upbit_url", NarrowingRules.Equal),                                 // where signed requests go
    ];

    public static IReadOnlyDictionary<string, NarrowingRule> Rules { get; } = Keys.ToDictionary(k => k.Path, k => k.MayChangeTo, StringComparer.Ordinal);

    /// <summary>The signed keys' values in appliance.json, flat by dotted path; absent and null keys are left out.</summary>
    public static JsonObject Project(JsonNode? config)
    {
        var projection = new JsonObject();
        foreach (var key in Keys)
        {
            JsonNode? node = config;
            foreach (var part in key.Path.Split('.'))
                node = node is JsonObject o && o.TryGetPropertyValue(part, out var child) ? child : null;
            if (node is not null) projection[key.Path] = node.DeepClone();
        }
        return projection;
    }

    public static JsonObject ProjectFile(string applianceJson) =>
        Project(JsonNode.Parse(File.ReadAllText(applianceJson)));
}

/// <summary>
/// DATA_DIR/policy/config.json: the signed values of appliance.json's signed keys and their seal.
/// <code>{"keys":{"approval.cancel_all":true,"upbit_url":"https://api.upbit.com"},"policy":{…seal…}}</code>
/// appliance.json may differ from it only in ways that narrow power (an added approval tier, a lower threshold).
/// </summary>
public sealed record SignedConfigFile
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    [JsonPropertyName("keys")] public required JsonObject Keys { get; init; }

    [JsonPropertyName("policy")] public required PolicySeal Policy { get; init; }

    public static string PathIn(string dataDir) => Path.Combine(dataDir, "policy", "config.json");

    public static SignedConfigFile? TryLoad(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<SignedConfigFile>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"{path} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a signed config ({e.Message}); sign the config again with 'appliance policy sign-all'.", e);
        }
    }

    public void Save(string path)
    {
        AtomicFile.CreatePrivateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json));
    }

    /// <summary>
    /// Whether appliance.json (its signed keys now: <paramref name="current"/>) may be used: the signature verifies, the
    /// version is not below its floor, and no signed key grants more than signed.
    /// </summary>
    public static PolicyVerdict Verify(SignedConfigFile? file, JsonObject current, ReadOnlySpan<byte> policyKey, long floor)
    {
        if (file is null)
            return PolicyVerdict.Reject(0, $"appliance.json's signed keys ({string.Join(", ", SignedConfigKeys.Keys.Select(k => k.Path))}) are not signed; {PolicyVerifier.SignAllHint}", unsigned: true);
        var verdict = PolicyVerifier.Exact(file.Policy, PolicyRecordKey.Config, policyKey, floor, PolicyCanonical.Sha256(file.Keys));
        if (!verdict.Ok) return verdict;
        var widened = BotNarrowing.Widened(current, file.Keys, SignedConfigKeys.Rules);
        return widened.Count == 0
            ? verdict
            : PolicyVerdict.Reject(verdict.Version,
                $"appliance.json grants more than was signed ({string.Join(", ", widened)}); undo the change, or {PolicyVerifier.SignAllHint}");
    }
}
