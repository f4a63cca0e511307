using Appliance.Common;
using Appliance.Upbit;

namespace Appliance.Policy;

/// <summary>
/// Per-bot caps on one order, by notional (quote currency) and by volume. Where Upbit fills at
/// market the notional is unknown in advance; then only a volume cap can bound it, and a bot
/// that has only a notional cap is refused rather than let through unbounded.
/// </summary>
internal static class OrderCaps
{
    public static void Check(BotProfile bot, Endpoint endpoint, IReadOnlyList<UpbitParam> parameters)
    {
        if (bot.MaxOrderNotional is null && bot.MaxOrderVolume is null) return;
        if (Read(endpoint, parameters) is not { } order) return;
        var (type, notional, volume) = order;

        if (bot.MaxOrderVolume is { } maxVolume && volume is { } v && v > maxVolume)
            throw SignRefusal.Denied(Reasons.OrderLimit,
                $"Order volume {v} is above bot '{bot.Name}''s cap of {maxVolume}; split the order or raise the cap with 'bots add'.");

        if (bot.MaxOrderNotional is { } maxNotional)
        {
            if (notional is { } n && n > maxNotional)
                throw SignRefusal.Denied(Reasons.OrderLimit,
                    $"Order notional {n} is above bot '{bot.Name}''s cap of {maxNotional}; split the order or raise the cap with 'bots add'.");
            if (notional is null && (volume is null || bot.MaxOrderVolume is null))
                throw SignRefusal.Denied(Reasons.NotionalUnknown,
                    $"The notional of a '{type}' order is not known before it fills, and bot '{bot.Name}' has no volume cap to bound it; give the bot --max-order-volume or use a limit order.");
        }
    }

    /// <summary>The order type, notional (null when unknown before the fill) and volume of a request that places an order; null for any other request.</summary>
    internal static (string? Type, decimal? Notional, decimal? Volume)? Read(Endpoint endpoint, IReadOnlyList<UpbitParam> parameters)
    {
        if (endpoint.Method != "POST") return null;
        string typeKey, priceKey, volumeKey;
        switch (endpoint.Path)
        {
            case "/v1/orders" or "/v1/orders/test":
                (typeKey, priceKey, volumeKey) = ("ord_type", "price", "volume");
                break;
            case "/v1/orders/cancel_and_new":
                (typeKey, priceKey, volumeKey) = ("new_ord_type", "new_price", "new_volume");
                break;
            default:
                return null;
        }

        var type = parameters.FirstOrDefault(p => p.Key == typeKey).Value;
        var side = parameters.FirstOrDefault(p => p.Key == "side").Value;
        var price = Authorizer.ParseDecimal(parameters, priceKey);
        var volume = Authorizer.ParseDecimal(parameters, volumeKey);

        // "price" (market buy) and "best" bid give the total to spend as price; "limit" gives both.
        decimal? notional = type switch
        {
            "limit" when price is not null && volume is not null => price * volume,
            "price" => price,
            "best" when side == "bid" => price,
            _ => null,
        };
        return (type, notional, volume);
    }
}
