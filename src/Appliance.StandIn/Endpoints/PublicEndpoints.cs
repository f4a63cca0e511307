using System.Text.Json.Nodes;

namespace Appliance.StandIn;

/// <summary>
/// Quotation endpoints, no token. Only GET /v1/market/all: ccxt's loadMarkets calls it before
/// fetchBalance/createOrder/fetchOpenOrders/cancelOrder/withdraw, and none of those needs a ticker
/// (ccxt 4.5.84 upbit.js: createOrder's market-buy cost comes from amount×price or params.cost).
/// Shape: docs "페어 목록 조회" (market, korean_name, english_name; market_event with isDetails=true).
/// </summary>
internal static class PublicEndpoints
{
    public static IEnumerable<Endpoint> All() =>
    [
        Endpoint.Get("/v1/market/all", MarketAll, group: "market") with { Public = true },
    ];

    private static Answer MarketAll(Call c)
    {
        var details = c.Args.OneOf("isDetails", "true", "false") ?? c.Args.OneOf("is_details", "true", "false");
        var list = new JsonArray();
        foreach (var m in c.State.Markets.Values)
        {
            var json = new JsonObject { ["market"] = m.Id, ["korean_name"] = m.KoreanName, ["english_name"] = m.EnglishName };
            if (details == "true")
            {
                json["market_event"] = new JsonObject
                {
                    ["warning"] = false,
                    ["caution"] = new JsonObject
                    {
                        ["PRICE_FLUCTUATIONS"] = false,
                        ["TRADING_VOLUME_SOARING"] = false,
                        ["DEPOSIT_AMOUNT_SOARING"] = false,
                        ["GLOBAL_PRICE_DIFFERENCES"] = false,
                        ["CONCENTRATION_OF_SMALL_ACCOUNTS"] = false,
                    },
                };
            }

            list.Add(json);
        }

        return Answer.Ok(list);
    }
}
