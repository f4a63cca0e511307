using System.Globalization;
using Appliance.Common;
using Appliance.Upbit;

namespace Appliance.Policy;

/// <summary>
/// Step 3 of the pipeline: the bot's policy judged against the same structured params that will
/// be hashed, so what is checked is exactly what is signed. Pure: no I/O, no clock.
/// </summary>
public static class Authorizer
{
    /// <param name="remainingBound">For cancel_and_new with new_volume=remain_only: the old order's placed volume, if known.</param>
    public static void Authorize(BotProfile bot, Endpoint endpoint, IReadOnlyList<UpbitParam> parameters,
        string credential, IReadOnlyCollection<string> credentialScopes, decimal? remainingBound = null)
    {
        CheckCredential(bot, credential);
        CheckScope(bot, endpoint, credential, credentialScopes);
        CheckMarkets(bot, endpoint, parameters);
        OrderCaps.Check(bot, endpoint, parameters, remainingBound);
        PocketTransfers.Check(bot, endpoint, parameters);
    }

    public static void CheckCredential(BotProfile bot, string credential)
    {
        if (!bot.AllowsCredential(credential))
            throw Refusals.CredentialDenied(bot.Name, credential, bot.Credential);
    }

    private static void CheckScope(BotProfile bot, Endpoint endpoint, string credential, IReadOnlyCollection<string> credentialScopes)
    {
        var needed = Scopes.ToWire(endpoint.Scope);
        if (!Scopes.Permits(bot.Scopes, endpoint.Scope))
            throw Refusals.ScopeDenied($"{endpoint.Method} {endpoint.Path}", needed, bot.Name);
        if (!Scopes.Permits(credentialScopes, endpoint.Scope))
            throw Refusals.CredentialScopeMissing(credential, needed);
    }

    private static void CheckMarkets(BotProfile bot, Endpoint endpoint, IReadOnlyList<UpbitParam> parameters)
    {
        if (bot.Markets.Count == 0) return;
        foreach (var p in parameters)
        {
            var markets = p.Key switch
            {
                "market" => [p.Value],
                "pairs" => p.Value.Split(','),
                _ => Array.Empty<string>(),
            };
            foreach (var market in markets)
            {
                if (!bot.Markets.Contains(market, StringComparer.Ordinal))
                    throw Refusals.MarketDenied(bot.Name, bot.Markets, market);
            }
        }
        // A listing without a market would show orders in every market.
        if (endpoint.Method == "GET" && endpoint.Path is "/v1/orders/open" or "/v1/orders/closed" && !parameters.Any(p => p.Key == "market"))
            throw Refusals.ListingNeedsMarket(bot.Name, endpoint.ToString());
        // A cancel-all without pairs, or by quote currency, reaches markets outside the list.
        if (endpoint.Method == "DELETE" && endpoint.Path == "/v1/orders/open"
            && (parameters.Any(p => p.Key == "quote_currencies") || !parameters.Any(p => p.Key == "pairs")))
            throw Refusals.CancelAcrossMarkets(bot.Name);
    }

    internal static decimal? ParseDecimal(IReadOnlyList<UpbitParam> parameters, string key)
    {
        var value = parameters.FirstOrDefault(p => p.Key == key).Value;
        if (value is null) return null;
        if (!decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) || number < 0)
            throw Refusals.NotADecimal(key);
        return number;
    }
}
