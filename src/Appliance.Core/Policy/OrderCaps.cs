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
    /// <param name="remainingBound">For cancel_and_new with new_volume=remain_only: the most the old order can
    /// have left (its placed volume, from the ownership record); null when not known.</param>
    public static void Check(BotProfile bot, Endpoint endpoint, IReadOnlyList<UpbitParam> parameters, decimal? remainingBound = null)
    {
        if (bot.MaxOrderNotional is null && bot.MaxOrderVolume is null) return;
        if (Read(endpoint, parameters, remainingBound) is not { } order) return;
        var (type, notional, volume) = order;

        // Every cap the bot has must bound the order: a size given in KRW (ord_type=price, best bid)
        // slips past a volume cap, and a market sell slips past a notional cap, unless the other cap bounds it.
        if (bot.MaxOrderVolume is { } maxVolume)
        {
            if (volume is { } v && v > maxVolume) throw Refusals.OrderVolumeAboveCap(bot.Name, v, maxVolume);
            if (volume is null && (notional is null || bot.MaxOrderNotional is null))
                throw Refusals.NotionalUnknown(bot.Name, type ?? "?");
        }
        if (bot.MaxOrderNotional is { } maxNotional)
        {
            if (notional is { } n && n > maxNotional) throw Refusals.OrderNotionalAboveCap(bot.Name, n, maxNotional);
            if (notional is null && (volume is null || bot.MaxOrderVolume is null))
                throw Refusals.NotionalUnknown(bot.Name, type ?? "?");
        }
    }

    /// <summary>The order type, notional (null when unknown before the fill) and volume of a request that places an order; null for any other request.</summary>
    internal static (string? Type, decimal? Notional, decimal? Volume)? Read(Endpoint endpoint, IReadOnlyList<UpbitParam> parameters,
        decimal? remainingBound = null)
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
        // remain_only keeps what is left of the old order: at most what it was placed with.
        var volume = parameters.FirstOrDefault(p => p.Key == volumeKey).Value == "remain_only"
            ? remainingBound
            : Authorizer.ParseDecimal(parameters, volumeKey);

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
