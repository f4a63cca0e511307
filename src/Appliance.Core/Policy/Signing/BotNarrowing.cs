using System.Text.Json.Nodes;

namespace Appliance.Policy;

/// <summary>
/// Which changes to a bot profile narrow its power, and so need no token: revoke, lower or add caps, drop scopes,
/// markets, credentials, addresses or pockets, a sooner certificate end. Every member not listed here must stay as
/// signed. To let a new BotProfile member narrow without the token, add one line (e.g. <c>["detached"] = MayOnlyTurnOff</c>).
/// </summary>
public static class BotNarrowing
{
    public static readonly IReadOnlyDictionary<string, NarrowingRule> Rules = new Dictionary<string, NarrowingRule>(StringComparer.Ordinal)
    {
        ["credentials"] = NarrowingRules.Subset,
        ["scopes"] = NarrowingRules.Subset,
        ["markets"] = NarrowingRules.AnyOrSubset,
        ["allow_ip"] = NarrowingRules.Subset,
        ["max_order_notional"] = NarrowingRules.CapAtMost,
        ["max_order_volume"] = NarrowingRules.CapAtMost,
        ["withdraw_addresses"] = NarrowingRules.Subset,
        ["withdraw_caps"] = NarrowingRules.WithdrawCaps,
        ["transfer_pockets"] = NarrowingRules.Subset,
        ["cert_expires"] = NarrowingRules.NotLater,
        ["revoked"] = NarrowingRules.MayOnlyBeAdded,
        ["detached"] = NarrowingRules.MayOnlyTurnOff,
        ["all_orders"] = NarrowingRules.MayOnlyTurnOff,
        ["rate_per_second"] = NarrowingRules.CapAtMost, // a slower bot or a smaller burst takes nothing away from Upbit's limits
        ["burst"] = NarrowingRules.CapAtMost,
    };

    /// <summary>The members of <paramref name="effective"/> that grant more than <paramref name="signed"/> (empty: it narrows or equals).</summary>
    public static IReadOnlyList<string> Widened(BotProfile effective, BotProfile signed) =>
        Widened(PolicyCanonical.Content(effective), PolicyCanonical.Content(signed), Rules);

    /// <summary>The members that grant more than signed, by the given rules (unlisted members must be equal).</summary>
    public static IReadOnlyList<string> Widened(JsonObject effective, JsonObject signed, IReadOnlyDictionary<string, NarrowingRule> rules)
    {
        var names = effective.Select(p => p.Key).Union(signed.Select(p => p.Key)).Order(StringComparer.Ordinal);
        var widened = new List<string>();
        foreach (var name in names)
        {
            var rule = rules.TryGetValue(name, out var r) ? r : NarrowingRules.Equal;
            if (!rule(effective[name], signed[name])) widened.Add(name);
        }
        return widened;
    }

    /// <summary>Members that differ at all (for telling the operator what a signature would approve).</summary>
    public static IReadOnlyList<string> Changed(JsonObject a, JsonObject b) =>
        a.Select(p => p.Key).Union(b.Select(p => p.Key)).Order(StringComparer.Ordinal)
            .Where(name => !JsonNode.DeepEquals(a[name], b[name])).ToList();
}
