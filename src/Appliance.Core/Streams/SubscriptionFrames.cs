using System.Text.Json;
using System.Text.RegularExpressions;
using Appliance.Common;

namespace Appliance.Streams;

/// <summary>
/// Reads what a bot asks of the private WebSocket: Upbit's request frame
/// <c>[{"ticket":…},{"type":"myOrder","codes":[…]},{"type":"myAsset"},{"format":"DEFAULT"}]</c> on the front,
/// or the types and codes of gRPC Subscribe. Strict: anything the appliance would not rebuild exactly
/// (other types, SIMPLE formats, lower-case or malformed codes, unknown members) is refused with Upbit's
/// WebSocket error names, and nothing reaches Upbit.
/// </summary>
public static partial class SubscriptionFrames
{
    /// <summary>Largest frame a bot may send, and largest event taken from upstream.</summary>
    public const int MaxFrameBytes = 64 * 1024;

    /// <summary>At most this many codes in one subscription (Upbit lists a few hundred markets).</summary>
    public const int MaxCodes = 500;

    /// <summary>Parses a bot's request frame (UTF-8 JSON text).</summary>
    public static StreamSubscription Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 4 });
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw Refusals.WrongFormat("send a JSON array such as [{\"ticket\":\"t1\"},{\"type\":\"myOrder\"}], or the text PING");
        }
        if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() == 0 || root.EnumerateArray().Any(i => i.ValueKind != JsonValueKind.Object))
            throw Refusals.WrongFormat("send a JSON array of objects such as [{\"ticket\":\"t1\"},{\"type\":\"myOrder\"}]");

        var items = root.EnumerateArray().ToList();
        if (!items[0].TryGetProperty("ticket", out var ticket) || ticket.ValueKind != JsonValueKind.String || ticket.GetString()!.Length == 0)
            throw Refusals.NoTicket();
        OnlyMembers(items[0], "ticket");

        List<string> types = [];
        List<string> codes = [];
        var jsonList = false;
        foreach (var item in items.Skip(1))
        {
            if (item.TryGetProperty("format", out var format))
            {
                OnlyMembers(item, "format");
                jsonList = format.ValueKind == JsonValueKind.String ? Format(format.GetString()!)
                    : throw Refusals.WrongFormat("format must be a string, DEFAULT or JSON_LIST");
                continue;
            }
            if (!item.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
                throw Refusals.WrongFormat("each object after the ticket needs \"type\" (myOrder or myAsset) or \"format\"");
            var name = type.GetString()!;
            types.Add(name);
            if (name == StreamSubscription.MyOrder)
            {
                OnlyMembers(item, "type", "codes");
                if (item.TryGetProperty("codes", out var list))
                {
                    if (list.ValueKind != JsonValueKind.Array || list.EnumerateArray().Any(c => c.ValueKind != JsonValueKind.String))
                        throw Refusals.WrongFormat("codes must be an array of market codes such as [\"KRW-BTC\"]");
                    codes.AddRange(list.EnumerateArray().Select(c => c.GetString()!));
                }
            }
            else if (name == StreamSubscription.MyAsset)
            {
                OnlyMembers(item, "type");
            }
        }
        return Build(types, codes) with { JsonList = jsonList };
    }

    /// <summary>The subscription of gRPC Subscribe: types myOrder and/or myAsset; codes only with myOrder.</summary>
    public static StreamSubscription Build(IEnumerable<string> types, IEnumerable<string> codes)
    {
        bool orders = false, assets = false;
        foreach (var type in types)
        {
            switch (type)
            {
                case StreamSubscription.MyOrder: orders = true; break;
                case StreamSubscription.MyAsset: assets = true; break;
                default: throw Refusals.UnknownStreamType(type);
            }
        }
        if (!orders && !assets) throw Refusals.NoType();
        var list = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var code in codes)
        {
            if (!MarketCode().IsMatch(code)) throw Refusals.BadStreamCode(code);
            list.Add(code);
        }
        if (list.Count > 0 && !orders) throw Refusals.WrongFormat("codes apply to myOrder only; myAsset takes none, so add {\"type\":\"myOrder\"} or leave the codes out");
        if (list.Count > MaxCodes) throw Refusals.WrongFormat($"at most {MaxCodes} codes fit in one subscription; send fewer");
        return new StreamSubscription(orders, [.. list], assets);
    }

    private static bool Format(string format) => format switch
    {
        "DEFAULT" => false,
        "JSON_LIST" => true,
        _ => throw Refusals.StreamFormatNotServed(format),
    };

    private static void OnlyMembers(JsonElement item, params string[] allowed)
    {
        foreach (var member in item.EnumerateObject())
        {
            if (!allowed.Contains(member.Name, StringComparer.Ordinal))
                throw Refusals.WrongFormat($"member '{Refusals.Echo(member.Name)}' is not relayed; an object takes only {string.Join(", ", allowed)}");
        }
    }

    // \z, not $: $ would also match before a trailing newline.
    [GeneratedRegex(@"^[A-Z0-9]{1,10}-[A-Z0-9]{1,20}\z", RegexOptions.CultureInvariant)]
    private static partial Regex MarketCode();
}
