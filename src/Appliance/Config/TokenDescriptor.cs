using System.Text.Json;
using System.Text.Json.Serialization;
using Appliance.Common;
using Appliance.Token;

namespace Appliance.Config;

/// <summary>
/// DATA_DIR/token.json: which token this appliance is bound to and the public keys it had when
/// it was pinned. A token that comes back with another serial or other keys is refused.
/// </summary>
public sealed record TokenDescriptor
{
    public const string SoftwareKind = "software";
    public const string Pkcs11Kind = "pkcs11";

    [JsonPropertyName("kind")] public required string Kind { get; init; }
    [JsonPropertyName("serial")] public required string Serial { get; init; }
    [JsonPropertyName("module")] public string? Module { get; init; }
    [JsonPropertyName("label")] public string? Label { get; init; }

    /// <summary>Slot (PIV name: 9a, 9d, 83) to base64 of the 65-byte uncompressed point.</summary>
    [JsonPropertyName("public_keys")] public required IReadOnlyDictionary<string, string> PublicKeys { get; init; }

    /// <summary>The recovery token (a second YubiKey kept offline), when one is enrolled: every credential is sealed to it too.</summary>
    [JsonPropertyName("recovery")] public RecoveryDescriptor? Recovery { get; init; }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static TokenDescriptor Pin(IHardwareToken token, string kind, string? module = null, string? label = null,
        IReadOnlyList<KeySlot>? slots = null) => new()
    {
        Kind = kind,
        Serial = token.Serial,
        Module = module,
        Label = label,
        PublicKeys = (slots ?? KeySlots.All).ToDictionary(s => s.PivName(), s => Convert.ToBase64String(token.GetPublicKey(s))),
    };

    public byte[] PublicKey(KeySlot slot) =>
        PublicKeys.TryGetValue(slot.PivName(), out var b64)
            ? Convert.FromBase64String(b64)
            : throw new InvalidOperationException(slot == KeySlot.Policy
                ? "token.json has no policy key (slot 84, new: it signs bots, credentials and the config); run 'appliance init --force' with the same token to add it (every other key is kept), then 'appliance policy sign-all'."
                : $"token.json has no public key for slot {slot.PivName()}; run 'appliance init' again.");

    /// <summary>Throws unless <paramref name="token"/> is the pinned one: same serial, same public keys.</summary>
    public void Verify(IHardwareToken token)
    {
        if (!string.Equals(token.Serial, Serial, StringComparison.Ordinal))
            throw new InvalidOperationException(
                $"This is a different token (serial {token.Serial}); the appliance is bound to serial {Serial}. Plug in that key, or run 'appliance init' to bind a new one.");
        foreach (var slot in KeySlots.All)
        {
            if (!token.GetPublicKey(slot).AsSpan().SequenceEqual(PublicKey(slot)))
                throw new InvalidOperationException(
                    $"The key in slot {slot.PivName()} of token {token.Serial} is not the pinned one; it was replaced. Restore the original key or run 'appliance init' again.");
        }
    }

    public static TokenDescriptor Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<TokenDescriptor>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"{path} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid ({e.Message}); run 'appliance init' again.", e);
        }
    }

    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json));
}

/// <summary>
/// token.json "recovery": the second token that can take over when the primary is lost. Its seal key (9d) is a second
/// recipient of every credential; its audit-slot key (9a) signs the audit record that moves the log to a new primary.
/// </summary>
public sealed record RecoveryDescriptor
{
    [JsonPropertyName("serial")] public required string Serial { get; init; }
    [JsonPropertyName("kind")] public required string Kind { get; init; }
    [JsonPropertyName("label")] public string? Label { get; init; }

    /// <summary>Slot (9a, 9d) to base64 of the 65-byte point.</summary>
    [JsonPropertyName("public_keys")] public required IReadOnlyDictionary<string, string> PublicKeys { get; init; }

    [JsonPropertyName("enrolled")] public DateTimeOffset Enrolled { get; init; }

    /// <summary>The recovery token's slots in use.</summary>
    public static readonly KeySlot[] Slots = [KeySlot.Seal, KeySlot.Audit];

    public byte[] PublicKey(KeySlot slot) =>
        PublicKeys.TryGetValue(slot.PivName(), out var b64)
            ? Convert.FromBase64String(b64)
            : throw new InvalidOperationException($"token.json's recovery entry has no key for slot {slot.PivName()}; enroll the recovery token again.");
}
