using Appliance.Policy;
using Appliance.Upbit;

namespace Appliance.Approval;

/// <summary>Which requests are high-risk: every withdrawal always, more by <see cref="ApprovalOptions"/>. Pure.</summary>
public static class ApprovalTiers
{
    public static bool Requires(ApprovalOptions options, Endpoint endpoint, IReadOnlyList<UpbitParam> parameters)
    {
        if (endpoint.IsWithdrawal) return true;
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
        Scope.Withdraw => true,
        Scope.Trade => options.CancelAll || options.OrderNotionalAbove is not null,
        _ => false,
    };
}
