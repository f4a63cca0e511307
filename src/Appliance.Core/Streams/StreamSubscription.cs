using System.Text.Json;

namespace Appliance.Streams;

/// <summary>
/// What one bot receives from Upbit's private WebSocket: myOrder (for <see cref="Codes"/>, or every
/// market when empty) and/or myAsset. Always built by the appliance (parsed from a bot's frame or gRPC
/// request, then authorized), never the bot's bytes. <see cref="JsonList"/>: each event wrapped in an
/// array, as Upbit's JSON_LIST format does.
/// </summary>
public sealed record StreamSubscription(bool Orders, IReadOnlyList<string> Codes, bool Assets, bool JsonList = false)
{
    public const string MyOrder = "myOrder";
    public const string MyAsset = "myAsset";

    /// <summary>No type at all: what the upstream connection asks for while no bot listens.</summary>
    public static readonly StreamSubscription Nothing = new(false, [], false);

    /// <summary>Whether an event of <paramref name="type"/> in market <paramref name="code"/> is within this subscription.</summary>
    public bool Wants(string type, string? code) => type switch
    {
        MyOrder => Orders && (Codes.Count == 0 || (code is not null && Codes.Contains(code, StringComparer.Ordinal))),
        MyAsset => Assets,
        _ => false,
    };

    /// <summary>
    /// The one subscription the shared upstream connection needs so that every bot gets its events:
    /// myOrder if anyone wants it, over the union of their markets (all markets if anyone asked for all).
    /// </summary>
    public static StreamSubscription Union(IEnumerable<StreamSubscription> subscriptions)
    {
        bool orders = false, assets = false, allMarkets = false;
        var codes = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var s in subscriptions)
        {
            assets |= s.Assets;
            if (!s.Orders) continue;
            orders = true;
            if (s.Codes.Count == 0) allMarkets = true;
            else codes.UnionWith(s.Codes);
        }
        return new StreamSubscription(orders, allMarkets ? [] : [.. codes], assets);
    }

    /// <summary>Upbit's request frame for this subscription, DEFAULT format, with a fresh ticket.</summary>
    public string ToUpbitFrame(string ticket)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            json.WriteStartObject();
            json.WriteString("ticket", ticket);
            json.WriteEndObject();
            if (Orders)
            {
                json.WriteStartObject();
                json.WriteString("type", MyOrder);
                if (Codes.Count > 0)
                {
                    json.WriteStartArray("codes");
                    foreach (var code in Codes) json.WriteStringValue(code);
                    json.WriteEndArray();
                }
                json.WriteEndObject();
            }
            if (Assets)
            {
                json.WriteStartObject();
                json.WriteString("type", MyAsset);
                json.WriteEndObject();
            }
            json.WriteStartObject();
            json.WriteString("format", "DEFAULT");
            json.WriteEndObject();
            json.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>For the audit record: "myOrder", "myAsset", and the codes, comma-separated.</summary>
    public IReadOnlyList<Upbit.UpbitParam> ToParams()
    {
        var types = string.Join(",", new[] { Orders ? MyOrder : null, Assets ? MyAsset : null }.OfType<string>());
        List<Upbit.UpbitParam> list = [new("types", types)];
        if (Codes.Count > 0) list.Add(new("codes", string.Join(",", Codes)));
        return list;
    }

    public bool Equals(StreamSubscription? other) =>
        other is not null && Orders == other.Orders && Assets == other.Assets && JsonList == other.JsonList
        && Codes.SequenceEqual(other.Codes, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Orders, Assets, JsonList, Codes.Count);
}
