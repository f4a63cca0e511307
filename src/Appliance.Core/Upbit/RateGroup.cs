namespace Appliance.Upbit;

/// <summary>Upbit's exchange rate-limit groups (the "group=" in the Remaining-Req header).</summary>
public enum RateGroup
{
    Default,
    Order,
    OrderTest,
    OrderCancelAll,
}

/// <summary>How an endpoint carries its parameters.</summary>
public enum BodyKind
{
    /// <summary>GET/DELETE: URL query string.</summary>
    Query,
    /// <summary>POST: JSON body (form bodies are unsupported by Upbit since 2022-03-01).</summary>
    Json,
}

public static class RateGroups
{
    /// <summary>Upbit's own name for the group: default, order, order-test, order-cancel-all.</summary>
    public static string ToWire(RateGroup group) => group switch
    {
        RateGroup.Default => "default",
        RateGroup.Order => "order",
        RateGroup.OrderTest => "order-test",
        RateGroup.OrderCancelAll => "order-cancel-all",
        _ => throw new ArgumentOutOfRangeException(nameof(group), group, "Not a defined RateGroup value."),
    };

    /// <summary>Upbit's group name (as in Remaining-Req's "group="; "exchange.default" is read as "default").</summary>
    public static bool TryFromWire(string? wire, out RateGroup group)
    {
        const string exchangePrefix = "exchange.";
        var name = wire is not null && wire.StartsWith(exchangePrefix, StringComparison.Ordinal) ? wire[exchangePrefix.Length..] : wire;
        foreach (var candidate in Enum.GetValues<RateGroup>())
        {
            if (ToWire(candidate) == name)
            {
                group = candidate;
                return true;
            }
        }
        group = default;
        return false;
    }
}
