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

    /// <summary>Whether some request needing <paramref name="scope"/> can land in a tier.</summary>
    public static bool MayRequire(ApprovalOptions options, Scope scope) => scope switch
    {
        Scope.Withdraw or Scope.PocketManage or Scope.AssetTransfer => true, // withdrawals and pocket transfers move assets
        Scope.Deposit => options.DepositKrw || options.TravelRule,
        Scope.Trade => options.CancelAll || options.OrderNotionalAbove is not null,
        _ => false,
    };
}
