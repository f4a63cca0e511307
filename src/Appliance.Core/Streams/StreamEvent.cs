using System.Text.Json;
using Appliance.Orders;
using Appliance.Policy;

namespace Appliance.Streams;

/// <summary>
/// The few fields of an upstream message the relay judges by (DEFAULT format, which the appliance always
/// asks for): its type, and for myOrder the market, uuid and identifier. Anything else (status, error
/// frames, unreadable JSON) is no event and reaches no bot.
/// </summary>
public sealed record StreamEvent(string Type, string? Code, string? Uuid, string? Identifier)
{
    public static StreamEvent? Read(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 8 });
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || root.TryGetProperty("error", out _)) return null;
            var type = Text(root, "type");
            return type is StreamSubscription.MyOrder or StreamSubscription.MyAsset
                ? new StreamEvent(type, Text(root, "code"), Text(root, "uuid"), Text(root, "identifier"))
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether <paramref name="bot"/>, subscribed as <paramref name="subscription"/>, receives this event:
    /// within its subscription and markets, and for myOrder an order it placed (found by identifier, which
    /// the appliance records before the order leaves, so the first event of a new order already has its
    /// owner), unless it has --all-orders.
    /// </summary>
    public bool IsFor(BotProfile bot, StreamSubscription subscription, OrderOwners owners)
    {
        if (!subscription.Wants(Type, Code)) return false;
        if (Type != StreamSubscription.MyOrder) return true;
        if (bot.Markets.Count > 0 && (Code is null || !bot.Markets.Contains(Code, StringComparer.Ordinal))) return false;
        if (bot.AllOrders) return true;
        var owner = (Identifier is { Length: > 0 } id ? owners.ByIdentifier(id) : null) ?? (Uuid is { Length: > 0 } uuid ? owners.ByUuid(uuid) : null);
        return owner is not null && owner.Bot == bot.Name;
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
