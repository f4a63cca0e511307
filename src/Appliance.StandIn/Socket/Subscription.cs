using System.Text.Json;
using System.Text.Json.Nodes;

namespace Appliance.StandIn;

/// <summary>
/// A parsed private-WebSocket request <c>[{"ticket":…},{"type":"myOrder","codes":[…]},{"type":"myAsset"},{"format":"DEFAULT"}]</c>
/// (docs websocket-guide, websocket-myorder, websocket-myasset). Errors are Upbit's frame names:
/// WRONG_FORMAT, NO_TICKET, NO_TYPE, INVALID_PARAM. A new request replaces the previous subscription.
/// </summary>
internal sealed record Subscription(bool Orders, IReadOnlySet<string> Codes, bool Assets, bool JsonList)
{
    public static Subscription Parse(string text)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            throw Error(UpbitErrorNames.WrongFormat, "not JSON; send [{\"ticket\":\"…\"},{\"type\":\"myOrder\"}] or the text PING");
        }

        if (root is not JsonArray items || items.Count == 0 || items.Any(i => i is not JsonObject))
        {
            throw Error(UpbitErrorNames.WrongFormat, "send a JSON array of objects: [{\"ticket\":\"…\"},{\"type\":\"myOrder\"}]");
        }

        if (items[0]!["ticket"] is not JsonValue ticket || ticket.GetValueKind() != JsonValueKind.String || ticket.GetValue<string>().Length == 0)
        {
            throw Error(UpbitErrorNames.NoTicket, "the first object must be {\"ticket\":\"<any unique string>\"}");
        }

        bool orders = false, assets = false, list = false;
        var codes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items.Skip(1).Cast<JsonObject>())
        {
            if (item["format"] is { } format)
            {
                list = format.GetValueKind() == JsonValueKind.String ? format.GetValue<string>() switch
                {
                    "DEFAULT" => false,
                    "JSON_LIST" => true,
                    var other => throw Error(UpbitErrorNames.InvalidParam, $"format '{other}' is not served by the stand-in; use DEFAULT or JSON_LIST"),
                } : throw Error(UpbitErrorNames.WrongFormat, "format must be a string");
                continue;
            }

            var type = item["type"]?.GetValueKind() == JsonValueKind.String ? item["type"]!.GetValue<string>() : null;
            switch (type)
            {
                case "myOrder":
                    orders = true;
                    codes.UnionWith(ReadCodes(item));
                    break;
                case "myAsset":
                    assets = item["codes"] is null ? true : throw Error(UpbitErrorNames.WrongFormat, "myAsset takes no codes; send {\"type\":\"myAsset\"}");
                    break;
                case null:
                    throw Error(UpbitErrorNames.WrongFormat, "each object after the ticket needs \"type\" (myOrder, myAsset) or \"format\"");
                default:
                    throw Error(UpbitErrorNames.InvalidParam, $"type '{type}' is not on the private endpoint; use myOrder or myAsset here (quotation types are on /websocket/v1)");
            }
        }

        return orders || assets
            ? new Subscription(orders, codes, assets, list)
            : throw Error(UpbitErrorNames.NoType, "no {\"type\":…} object; add {\"type\":\"myOrder\"} or {\"type\":\"myAsset\"}");
    }

    public bool Wants(string type, string? market) => type switch
    {
        "myOrder" => Orders && (Codes.Count == 0 || (market is not null && Codes.Contains(market))),
        "myAsset" => Assets,
        _ => false,
    };

    private static IEnumerable<string> ReadCodes(JsonObject item)
    {
        if (item["codes"] is null)
        {
            return [];
        }

        if (item["codes"] is not JsonArray array || array.Any(c => c?.GetValueKind() != JsonValueKind.String))
        {
            throw Error(UpbitErrorNames.WrongFormat, "codes must be an array of market codes, e.g. [\"KRW-BTC\"]");
        }

        var codes = array.Select(c => c!.GetValue<string>()).ToList();
        foreach (var code in codes.Where(c => c != c.ToUpperInvariant()))
        {
            throw Error(UpbitErrorNames.InvalidParam, $"code '{code}' must be upper-case, e.g. {code.ToUpperInvariant()}");
        }

        return codes;
    }

    private static UpbitRejection Error(string name, string message) => new(400, name, message);
}
