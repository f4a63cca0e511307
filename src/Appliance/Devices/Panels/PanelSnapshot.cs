using System.Text.Json;
using System.Text.Json.Serialization;
using Appliance.Panel;

namespace Appliance.Devices.Panels;

/// <summary>
/// What the panel shows, as the socket panel's <c>state</c> answers it: each LED "on", "off" or
/// "blink", the number of activity flashes (one per signature), and the display lines.
/// </summary>
public sealed record PanelSnapshot
{
    [JsonPropertyName("leds")] public required IReadOnlyDictionary<string, string> Leds { get; init; }
    [JsonPropertyName("activity_pulses")] public int ActivityPulses { get; init; }
    [JsonPropertyName("display")] public required IReadOnlyList<string> Display { get; init; }

    public string Led(Led led) => Leds[Name(led)];

    public static string Name(Led led) => led.ToString().ToLowerInvariant();

    public static string Name(LedMode mode) => mode.ToString().ToLowerInvariant();

    public static PanelSnapshot Of(LedBoard leds, IReadOnlyList<string> display) => new()
    {
        Leds = leds.Modes().ToDictionary(p => Name(p.Key), p => Name(p.Value)),
        ActivityPulses = leds.Pulses(Panel.Led.Activity),
        Display = display,
    };

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static PanelSnapshot Parse(string json) =>
        JsonSerializer.Deserialize<PanelSnapshot>(json, Json) ?? throw new InvalidDataException("Empty panel state.");
}
