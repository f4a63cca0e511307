using Appliance.Common;
using Appliance.Policy;
using Appliance.Upbit;

namespace Appliance.Orders;

/// <summary>
/// Part of step 3: a bot sees and changes only the orders it placed (unless it has --all-orders).
/// Orders placed before the appliance recorded owners have none, so only --all-orders bots reach them.
/// </summary>
public static class OrderOwnership
{
    public static void Check(BotProfile bot, Endpoint endpoint, IReadOnlyList<UpbitParam> parameters, OrderOwners owners)
    {
        if (bot.AllOrders) return;
        switch (endpoint.Method, endpoint.Path)
        {
            case ("GET", "/v1/order") or ("DELETE", "/v1/order"):
                Own(bot, owners, Get(parameters, "uuid"), Get(parameters, "identifier"));
                break;
            case ("GET", "/v1/orders/uuids") or ("DELETE", "/v1/orders/uuids"):
                foreach (var p in parameters)
                {
                    if (p.Key == "uuids[]") Own(bot, owners, p.Value, null);
                    else if (p.Key == "identifiers[]") Own(bot, owners, null, p.Value);
                }
                break;
            case ("POST", "/v1/orders/cancel_and_new"):
                Own(bot, owners, Get(parameters, "prev_order_uuid"), Get(parameters, "prev_order_identifier"));
                break;
            case ("DELETE", "/v1/orders/open"):
                // Upbit cancels by market, whoever placed the order: only within the bot's own markets.
                if (bot.Markets.Count == 0 || Get(parameters, "pairs") is null || Get(parameters, "quote_currencies") is not null)
                    throw Refusals.CancelAllNeedsOwnMarkets(bot.Name);
                break;
        }
    }

    /// <summary>For cancel_and_new with new_volume=remain_only: the volume the old order was placed with.</summary>
    public static decimal? PlacedVolume(Endpoint endpoint, IReadOnlyList<UpbitParam> parameters, OrderOwners owners)
    {
        if (endpoint.Path != "/v1/orders/cancel_and_new") return null;
        var order = Get(parameters, "prev_order_uuid") is { } uuid ? owners.ByUuid(uuid)
            : Get(parameters, "prev_order_identifier") is { } id ? owners.ByIdentifier(id) : null;
        return order?.Volume;
    }

    private static void Own(BotProfile bot, OrderOwners owners, string? uuid, string? identifier)
    {
        var order = uuid is not null ? owners.ByUuid(uuid) : identifier is not null ? owners.ByIdentifier(identifier) : null;
        if (order is null || order.Bot != bot.Name) throw Refusals.OrderNotOwned(bot.Name);
    }

    private static string? Get(IReadOnlyList<UpbitParam> parameters, string key) => parameters.FirstOrDefault(p => p.Key == key).Value;
}
