using Appliance.Common;
using Appliance.Policy;
using Appliance.Upbit;

namespace Appliance.Streams;

/// <summary>
/// Step 3 for a subscription: myOrder needs view-orders and myAsset view-assets, held by the bot and by
/// its credential (else Upbit would refuse the type). A bot bound to markets may name only those; one that
/// names none gets its own markets (the subscription is narrowed, never widened). Pure.
/// </summary>
public static class StreamPolicy
{
    public static StreamSubscription Authorize(BotProfile bot, StreamSubscription wanted, string credential, IReadOnlyCollection<string> credentialScopes)
    {
        ArgumentNullException.ThrowIfNull(bot);
        ArgumentNullException.ThrowIfNull(wanted);
        Authorizer.CheckCredential(bot, credential);
        if (wanted.Orders) Need(bot, StreamSubscription.MyOrder, Scope.ViewOrders, credential, credentialScopes);
        if (wanted.Assets) Need(bot, StreamSubscription.MyAsset, Scope.ViewAssets, credential, credentialScopes);
        if (!wanted.Orders || bot.Markets.Count == 0) return wanted;
        foreach (var code in wanted.Codes)
        {
            if (!bot.Markets.Contains(code, StringComparer.Ordinal)) throw Refusals.MarketDenied(bot.Name, bot.Markets, code);
        }
        return wanted.Codes.Count > 0 ? wanted : wanted with { Codes = [.. bot.Markets.Order(StringComparer.Ordinal)] };
    }

    private static void Need(BotProfile bot, string type, Scope scope, string credential, IReadOnlyCollection<string> credentialScopes)
    {
        var wire = Scopes.ToWire(scope);
        if (!bot.Scopes.Contains(wire, StringComparer.Ordinal)) throw Refusals.ScopeDenied($"{type} on the private WebSocket", wire, bot.Name);
        if (!credentialScopes.Contains(wire, StringComparer.Ordinal)) throw Refusals.CredentialScopeMissing(credential, wire);
    }
}
