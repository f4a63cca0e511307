using System.Globalization;
using System.Text.Json;
using Appliance.Upbit;

namespace Appliance.Pipeline;

/// <summary>What the pipeline reads from a request and from Upbit's answer: the market, the volume, the uuid, the error name.</summary>
internal static class OrderFacts
{
    public static string? Market(IReadOnlyList<UpbitParam> parameters) => parameters.FirstOrDefault(p => p.Key == "market").Value;

    public static decimal? Volume(Endpoint endpoint, IReadOnlyList<UpbitParam> parameters)
    {
        var key = endpoint.Path == "/v1/orders/cancel_and_new" ? "new_volume" : "volume";
        var value = parameters.FirstOrDefault(p => p.Key == key).Value;
        return decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var volume) ? volume : null;
    }

    /// <summary>The uuid of what a POST created (an order, a withdrawal), and Upbit's error name for a refusal.</summary>
    public static (string? Uuid, string? UpbitError) FromAnswer(Endpoint endpoint, UpstreamAnswer answer)
    {
        if (answer.Body.Length == 0 || answer.Body.Length > 64 * 1024) return (null, null);
        try
        {
            using var document = JsonDocument.Parse(answer.Body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, null);
            if (answer.Status >= 400)
            {
                var name = root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
                    && error.TryGetProperty("name", out var n) ? n.ToString() : null;
                return (null, Bounded(name));
            }
            if (endpoint.Method != "POST") return (null, null);
            var uuidKey = endpoint.Path == "/v1/orders/cancel_and_new" ? "new_order_uuid" : "uuid";
            return (root.TryGetProperty(uuidKey, out var uuid) && uuid.ValueKind == JsonValueKind.String ? Bounded(uuid.GetString()) : null, null);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static string? Bounded(string? text) => text is null ? null : Common.Refusals.Echo(text.Length > 64 ? text[..64] : text);
}
