using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Appliance.Config;

/// <summary>
/// appliance.json holds only what an operator can set. Before the file is bound, every key is checked
/// against the config types as the serializer sees them, so an unknown key (a typo, a key of another
/// version) is refused by its full name. Two kinds of old keys are still accepted:
/// <list type="bullet">
/// <item>values that <c>init</c> used to write but nothing reads (they were derived from other keys, e.g.
/// <c>panel_options.Hold</c> from <c>hold_ms</c>): removed and reported, so editing them is no longer silent;</item>
/// <item><c>order_rate_per_second</c>, read as <c>rates.order_per_second</c>.</item>
/// </list>
/// </summary>
internal static class ConfigKeys
{
    /// <summary>The derived values older versions wrote, by their full key.</summary>
    public static readonly IReadOnlyList<string> Derived =
    [
        "panel_options.Hold", "panel_options.Debounce", "panel_options.BlinkHalfPeriod", "panel_options.PulseLength",
        "panel_options.PageInterval", "alerts.BurstWindow",
    ];

    public const string LegacyOrderRate = "order_rate_per_second";

    /// <summary>Checks and normalises <paramref name="root"/> in place; returns the warnings to log once.</summary>
    public static IReadOnlyList<string> Check(JsonObject root, JsonSerializerOptions options, string file)
    {
        var warnings = new List<string>();
        MoveLegacyOrderRate(root, file, warnings);
        var ignored = new List<string>();
        Walk(root, options.GetTypeInfo(typeof(ApplianceConfig)), options, "", file, ignored);
        if (ignored.Count > 0)
            warnings.Add($"{file}: ignoring {string.Join(", ", ignored)}: older versions wrote these values, derived from other keys, "
                + "and nothing reads them (set hold_ms, debounce_ms, blink_ms, pulse_ms, page_ms or alerts.burst_window_seconds instead); "
                + "delete them from the file to silence this warning.");
        return warnings;
    }

    private static void Walk(JsonObject node, JsonTypeInfo info, JsonSerializerOptions options, string prefix, string file, List<string> ignored)
    {
        // A property the serializer ignores or cannot set (a derived value) is not a key an operator can write.
        var known = info.Properties
            .Where(p => p.Set is not null && p.AttributeProvider?.IsDefined(typeof(JsonIgnoreAttribute), inherit: true) != true)
            .ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var (key, value) in node.ToList())
        {
            var fullKey = prefix.Length == 0 ? key : $"{prefix}.{key}";
            if (known.TryGetValue(key, out var property))
            {
                var childType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                var child = options.GetTypeInfo(childType);
                if (value is JsonObject childObject && child.Kind == JsonTypeInfoKind.Object)
                    Walk(childObject, child, options, fullKey, file, ignored);
                continue;
            }
            if (Derived.Contains(fullKey))
            {
                node.Remove(key);
                ignored.Add(fullKey);
                continue;
            }
            var where = prefix.Length == 0 ? "at the top level" : $"in '{prefix}'";
            throw new InvalidDataException(
                $"{file}: unknown key '{fullKey}'. The keys {where} are: {string.Join(", ", known.Keys)}; "
                + "fix its spelling or remove it (docs/configuration.md lists every key).");
        }
    }

    private static void MoveLegacyOrderRate(JsonObject root, string file, List<string> warnings)
    {
        if (!root.TryGetPropertyValue(LegacyOrderRate, out var legacy)) return;
        if (legacy is not JsonValue value || !value.TryGetValue<int>(out var rate))
            throw new InvalidDataException($"{file}: '{LegacyOrderRate}' must be a whole number; better, replace it with 'rates.order_per_second'.");
        root.Remove(LegacyOrderRate);
        if (root["rates"] is not JsonObject rates)
        {
            if (root.ContainsKey("rates")) return; // a non-object "rates" is refused when the file is bound
            root["rates"] = rates = [];
        }
        if (rates["order_per_second"] is JsonValue set && set.TryGetValue<int>(out var current) && current != rate)
            throw new InvalidDataException(
                $"{file}: '{LegacyOrderRate}' ({rate}) and 'rates.order_per_second' ({current}) disagree; keep only 'rates.order_per_second'.");
        rates["order_per_second"] = rate;
        warnings.Add($"{file}: '{LegacyOrderRate}' is now 'rates.order_per_second' and was read as that ({rate}/s); move it there to silence this warning.");
    }
}
