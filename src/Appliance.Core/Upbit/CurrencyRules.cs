using Appliance.Common;

namespace Appliance.Upbit;

/// <summary>
/// Rules that depend on the currency: <c>GET /v1/withdraws/chance</c> marks <c>net_type</c> required in its schema, but
/// its text says the network is "only for digital assets", so KRW is asked without one and every other currency with one.
/// </summary>
internal static class CurrencyRules
{
    public const string Krw = "KRW";

    public static void Check(Endpoint endpoint, IReadOnlyList<UpbitParam> parameters)
    {
        if (endpoint.Method != "GET" || endpoint.Path != "/v1/withdraws/chance") return;
        string? currency = null, netType = null;
        foreach (var p in parameters)
        {
            if (p.Key == "currency") currency = p.Value;
            else if (p.Key == "net_type") netType = p.Value;
        }
        if (currency is null) return; // the required-parameter check has already refused this
        var krw = string.Equals(currency, Krw, StringComparison.OrdinalIgnoreCase);
        if (krw && netType is not null)
            throw Refusals.NotAllowedWith("net_type", "with currency=KRW (KRW has no network)");
        if (!krw && netType is null)
            throw Refusals.MissingParam("net_type", $"by {endpoint} for a digital asset (every currency but KRW)");
    }
}
