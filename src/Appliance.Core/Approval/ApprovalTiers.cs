using System.Globalization;
using Appliance.Policy;
using Appliance.Upbit;

namespace Appliance.Approval;

/// <summary>
/// Which requests are high-risk: every request that moves assets (withdrawals, pocket transfers) always; by default
/// also <c>POST /v1/deposits/krw</c> (it pulls money from the bank account) and the travel-rule verifications; more
/// by <see cref="ApprovalOptions"/>. Pure.
/// </summary>
public static class ApprovalTiers
{
    public const string DepositKrwPath = "/v1/deposits/krw";
    public const string WithdrawKrwPath = "/v1/withdraws/krw";
    public const string TravelRulePrefix = "/v1/travel_rule/deposit/";

    public static bool Requires(ApprovalOptions options, Endpoint endpoint, IReadOnlyList<UpbitParam> parameters)
    {
        if (endpoint.MovesAssets) return true;
        if (endpoint.Method == "POST")
        {
            if (options.DepositKrw && endpoint.Path == DepositKrwPath) return true;
            if (options.TravelRule && endpoint.Path.StartsWith(TravelRulePrefix, StringComparison.Ordinal)) return true;
        }
        if (options.CancelAll && endpoint.Method == "DELETE" && endpoint.Path == "/v1/orders/open") return true;
        // Test orders never reach the book, so they are not high-risk.
        if (options.OrderNotionalAbove is { } above && endpoint.Path != "/v1/orders/test"
            && OrderCaps.Read(endpoint, parameters) is { } order)
            return order.Notional is not { } notional || notional > above;
        return false;
    }

    /// <summary>
    /// Whether a request that moves assets needs two steps (button, then touch): its currency has a threshold in
    /// <see cref="ApprovalOptions.TwoStep"/> and its amount is above it. An amount that does not parse counts as above (fail closed).
    /// </summary>
    public static bool NeedsTwoSteps(ApprovalOptions options, Endpoint endpoint, IReadOnlyList<UpbitParam> parameters)
    {
        if (!endpoint.MovesAssets || options.TwoStep is not { Count: > 0 } thresholds) return false;
        string? Get(string key) => parameters.FirstOrDefault(p => p.Key == key).Value;
        var currency = endpoint.Path == WithdrawKrwPath ? "KRW" : Get("currency")?.ToUpperInvariant();
        if (currency is null || !thresholds.TryGetValue(currency, out var threshold)) return false;
        return !decimal.TryParse(Get("amount"), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) || amount > threshold;
    }

    /// <summary>Whether some request needing <paramref name="scope"/> can land in a tier.</summary>
    public static bool MayRequire(ApprovalOptions options, Scope scope) => scope switch
    {
        Scope.Withdraw or Scope.PocketManage or Scope.AssetTransfer => true, // withdrawals and pocket transfers move assets
        Scope.Deposit => options.DepositKrw || options.TravelRule,
        Scope.Trade => options.CancelAll || options.OrderNotionalAbove is not null,
        _ => false,
    };
}
