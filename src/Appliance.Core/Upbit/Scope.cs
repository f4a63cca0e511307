using Appliance.Common;

namespace Appliance.Upbit;

/// <summary>
/// Upbit's API key permission groups, as the appliance names them in bot policies.
/// <see cref="AuthOnly"/> marks endpoints that any valid key may call (no permission group).
/// </summary>
public enum Scope
{
    ViewAssets,
    ViewOrders,
    Trade,
    /// <summary>Only POST /v1/orders/test (in Upbit's "make orders" group; <see cref="Trade"/> covers it too).</summary>
    TradeTest,
    ViewWithdrawals,
    Withdraw,
    ViewDeposits,
    Deposit,
    /// <summary>Upbit v1.7.0 "포켓관리" (pocket management): the main pocket's view of every pocket, and universal transfers between pockets.</summary>
    PocketManage,
    /// <summary>Upbit v1.7.0 "자산이전" (asset transfer): a sub-pocket's transfers out of itself.</summary>
    AssetTransfer,
    AuthOnly,
}

/// <summary>Wire names of <see cref="Scope"/> ("view-assets", "trade", ...: kebab-case, through <see cref="Wire"/>).</summary>
public static class Scopes
{
    /// <summary>All wire names, comma-separated, for error messages and help text.</summary>
    public static string ValidList { get; } = Wire.List<Scope>();

    public static string ToWire(Scope scope) => Wire.Name(scope);

    public static bool TryParse(string? text, out Scope scope) => Wire.TryParse(text, out scope);

    public static Scope Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (TryParse(text, out var scope)) return scope;
        throw new ArgumentException($"Unknown scope '{text}'; use one of: {ValidList}.", nameof(text));
    }

    /// <summary>
    /// Whether a bot or credential holding <paramref name="granted"/> (wire names) may call an endpoint that
    /// needs <paramref name="required"/>: auth-only endpoints are open to every bot, and trade includes
    /// trade-test (same Upbit group). The one place this rule lives.
    /// </summary>
    public static bool Permits(IReadOnlyCollection<string> granted, Scope required)
    {
        ArgumentNullException.ThrowIfNull(granted);
        return required switch
        {
            Scope.AuthOnly => true,
            Scope.TradeTest => granted.Contains(ToWire(Scope.TradeTest)) || granted.Contains(ToWire(Scope.Trade)),
            _ => granted.Contains(ToWire(required)),
        };
    }
}
