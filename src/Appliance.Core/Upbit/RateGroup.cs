using Appliance.Common;

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

/// <summary>Upbit's own names for the groups (default, order, order-test, order-cancel-all), through <see cref="Wire"/>.</summary>
public static class RateGroups
{
    public static string ToWire(RateGroup group) => Wire.Name(group);

    /// <summary>Upbit's group name (as in Remaining-Req's "group="; "exchange.default" is read as "default").</summary>
    public static bool TryFromWire(string? wire, out RateGroup group)
    {
        const string exchangePrefix = "exchange.";
        var name = wire is not null && wire.StartsWith(exchangePrefix, StringComparison.Ordinal) ? wire[exchangePrefix.Length..] : wire;
        return Wire.TryParse(name, out group);
    }
}
