using System.Globalization;
using System.Text.Json.Nodes;

namespace Appliance.Policy;

/// <summary>
/// Whether one value grants no more than another, for one member of a record's canonical content (where a member
/// at its default is absent: null). <c>effective</c> is what the record says now, <c>signed</c> what was signed.
/// Each rule is a plain function so that adding a member to a record, or a key to the signed config, is one line.
/// </summary>
public delegate bool NarrowingRule(JsonNode? effective, JsonNode? signed);

/// <summary>The rules. Anything not known to narrow must be equal (<see cref="Equal"/>), which fails closed.</summary>
public static class NarrowingRules
{
    /// <summary>No change without a signature.</summary>
    public static bool Equal(JsonNode? effective, JsonNode? signed) => JsonNode.DeepEquals(effective, signed);

    /// <summary>A list that may only lose items (absent = empty).</summary>
    public static bool Subset(JsonNode? effective, JsonNode? signed)
    {
        var allowed = Items(signed);
        return Items(effective).All(item => allowed.Any(a => JsonNode.DeepEquals(a, item)));
    }

    /// <summary>A list where empty (absent) means "any": it may become non-empty, or lose items; never gain or empty out.</summary>
    public static bool AnyOrSubset(JsonNode? effective, JsonNode? signed) =>
        Items(signed).Count == 0 || (Items(effective).Count > 0 && Subset(effective, signed));

    /// <summary>A cap (absent = no cap): it may be set or lowered, never raised or dropped.</summary>
    public static bool CapAtMost(JsonNode? effective, JsonNode? signed) =>
        signed is null || (Number(effective) is { } e && Number(signed) is { } s && e <= s);

    /// <summary>A minimum (absent = none): it may be set or raised, never lowered or dropped.</summary>
    public static bool AtLeast(JsonNode? effective, JsonNode? signed) =>
        signed is null || (Number(effective) is { } e && Number(signed) is { } s && e >= s);

    /// <summary>A mark that takes power away (revoked, a time): it may be added, never removed.</summary>
    public static bool MayOnlyBeAdded(JsonNode? effective, JsonNode? signed) => signed is null || effective is not null;

    /// <summary>A switch that grants power when true (absent = false): it may be turned off, never on.</summary>
    public static bool MayOnlyTurnOff(JsonNode? effective, JsonNode? signed) => !Flag(effective, false) || Flag(signed, false);

    /// <summary>A switch that takes power away when true (absent = false), e.g. an approval tier: it may be turned on, never off.</summary>
    public static bool MayOnlyTurnOn(JsonNode? effective, JsonNode? signed) => Flag(effective, false) || !Flag(signed, false);

    /// <summary>Like <see cref="MayOnlyTurnOn"/> for a switch that is on by default (absent = true).</summary>
    public static bool DefaultOnMayOnlyTurnOn(JsonNode? effective, JsonNode? signed) => Flag(effective, true) || !Flag(signed, true);

    /// <summary>The cooling-off of new withdrawal addresses (absent = the default): it may grow, never shrink.</summary>
    public static bool LongerWait(JsonNode? effective, JsonNode? signed)
    {
        static TimeSpan? Wait(JsonNode? node)
        {
            if (node is null) return CoolingOff.Parse(CoolingOff.Default);
            try { return node is JsonValue v && v.TryGetValue<string>(out var s) ? CoolingOff.Parse(s) : null; }
            catch (ArgumentException) { return null; }
        }
        return Wait(effective) is { } e && Wait(signed) is { } s && e >= s;
    }

    /// <summary>
    /// Two-step thresholds by currency (a currency not listed takes one step): every signed threshold must still be
    /// there and no higher; thresholds for other currencies may be added. Anything but an object of numbers fails closed.
    /// </summary>
    public static bool ThresholdsAtMost(JsonNode? effective, JsonNode? signed)
    {
        if (signed is null) return effective is null or JsonObject;
        if (effective is not JsonObject now || signed is not JsonObject before) return false;
        return before.All(t => now.TryGetPropertyValue(t.Key, out var e) && e is not null && CapAtMost(e, t.Value));
    }

    /// <summary>A time that may only come sooner (a certificate's end).</summary>
    public static bool NotLater(JsonNode? effective, JsonNode? signed) =>
        signed is null || (Time(effective) is { } e && Time(signed) is { } s && e <= s);

    /// <summary>
    /// Withdrawal caps by currency (a currency without a cap is not capped): every signed cap must still be there and no
    /// higher; caps for other currencies may be added.
    /// </summary>
    public static bool WithdrawCaps(JsonNode? effective, JsonNode? signed)
    {
        var now = Items(effective).OfType<JsonObject>().ToList();
        if (now.Select(c => Currency(c)).Distinct(StringComparer.OrdinalIgnoreCase).Count() != now.Count) return false;
        foreach (var cap in Items(signed).OfType<JsonObject>())
        {
            var match = now.FirstOrDefault(c => string.Equals(Currency(c), Currency(cap), StringComparison.OrdinalIgnoreCase));
            if (match is null
                || !CapAtMost(match["per_withdrawal"], cap["per_withdrawal"])
                || !CapAtMost(match["per_24h"], cap["per_24h"]))
                return false;
        }
        return true;
    }

    private static string? Currency(JsonObject cap) => cap["currency"]?.GetValue<string>();

    private static List<JsonNode?> Items(JsonNode? node) => node is JsonArray array ? [.. array] : [];

    private static bool Flag(JsonNode? node, bool absent) =>
        node is JsonValue v && v.TryGetValue<bool>(out var b) ? b : node is null ? absent : true; // anything odd counts as "on"

    private static decimal? Number(JsonNode? node)
    {
        if (node is not JsonValue v) return null;
        // Any JSON number, however it is held (parsed, or an int/double built in memory), by its text.
        if (v.GetValueKind() == System.Text.Json.JsonValueKind.Number
            && decimal.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var n)) return n;
        if (v.TryGetValue<decimal>(out var d)) return d;
        if (v.TryGetValue<double>(out var f)) return (decimal)f;
        if (v.TryGetValue<long>(out var l)) return l;
        if (v.TryGetValue<string>(out var s) && decimal.TryParse(s, NumberStyles.Number, CultureInfo.InvariantCulture, out var p)) return p;
        return null;
    }

    private static DateTimeOffset? Time(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s)
        && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
