using System.Collections;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Appliance.Policy;

/// <summary>
/// The canonical form of a record's content, which is what a signature covers: compact JSON in declaration order,
/// without the <c>"policy"</c> block, and without members at their "grants nothing" default (null, false, empty list).
/// Leaving defaults out means a field added to BotProfile later (off by default) does not change the hash of a profile
/// signed before it existed, while setting it does, so it needs a new signature.
/// </summary>
public static class PolicyCanonical
{
    public const string SealMember = "policy";

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = false,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { SkipDefaults } },
    };

    /// <summary>The content of <paramref name="profile"/> as the signature sees it (no seal).</summary>
    public static JsonObject Content(BotProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return (JsonObject)JsonSerializer.SerializeToNode(profile with { Policy = null }, Options)!;
    }

    private static readonly JsonSerializerOptions Embedding = new()
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The profile as kept in a narrowed record's <c>signed</c> member: every member, no seal.</summary>
    public static JsonElement Embed(BotProfile profile) => JsonSerializer.SerializeToElement(profile with { Policy = null }, Embedding);

    /// <summary>Reads a narrowed record's <c>signed</c> member back into a profile.</summary>
    public static BotProfile Profile(JsonElement content) =>
        content.Deserialize<BotProfile>(Embedding) ?? throw new JsonException("The signed content is null.");

    /// <summary>Canonical bytes of any JSON content: re-serialised compactly, members without value dropped.</summary>
    public static byte[] Bytes(JsonNode content) => JsonSerializer.SerializeToUtf8Bytes(content, Options);

    public static string Sha256(JsonNode content) => Convert.ToHexStringLower(SHA256.HashData(Bytes(content)));

    public static string Sha256(BotProfile profile) => Sha256(Content(profile));

    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static void SkipDefaults(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object) return;
        foreach (var property in type.Properties)
        {
            if (property.Name == SealMember) { property.ShouldSerialize = static (_, _) => false; continue; }
            property.ShouldSerialize = static (_, value) => !IsDefault(value);
        }
    }

    private static bool IsDefault(object? value) => value switch
    {
        null => true,
        bool b => !b,
        string => false,
        ICollection c => c.Count == 0,
        IEnumerable e => !e.GetEnumerator().MoveNext(),
        DateTimeOffset t => t == default,
        _ => false,
    };
}
