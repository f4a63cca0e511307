using System.Text.Json.Nodes;

namespace Appliance.StandIn;

/// <summary>
/// GET /v1/accounts (docs "전체 계좌 조회"; ccxt parseBalance reads currency/balance/locked),
/// GET /v1/api_keys (access_key, expire_at), GET /v1/status/wallet (docs "입출금 현황": currency,
/// wallet_state, block_state, block_height, block_updated_at, block_elapsed_minutes, net_type, network_name).
/// </summary>
internal static class AccountEndpoints
{
    private static readonly (string Currency, string NetType, string Network)[] Wallets =
    [
        ("BTC", "BTC", "Bitcoin"),
        ("ETH", "ETH", "Ethereum"),
        ("XRP", "XRP", "Ripple"),
        ("USDT", "TRX", "Tron"),
    ];

    public static IEnumerable<Endpoint> All() =>
    [
        Endpoint.Get("/v1/accounts", c => Answer.Ok(Accounts(c.Pocket))),
        Endpoint.Get("/v1/api_keys", ApiKeys),
        Endpoint.Get("/v1/status/wallet", WalletStatus),
    ];

    /// <summary>Currencies held in the pocket (KRW always), as Upbit lists them.</summary>
    public static JsonArray Accounts(Pocket pocket)
    {
        var list = new JsonArray();
        foreach (var (currency, h) in pocket.Holdings)
        {
            if (currency == "KRW" || h.Balance != 0 || h.Locked != 0)
            {
                list.Add(Account(currency, h));
            }
        }

        return list;
    }

    public static JsonObject Account(string currency, Holding h) => new()
    {
        ["currency"] = currency,
        ["balance"] = Wire.Num(h.Balance),
        ["locked"] = Wire.Num(h.Locked),
        ["avg_buy_price"] = Wire.Num(h.AvgBuyPrice),
        ["avg_buy_price_modified"] = false,
        ["unit_currency"] = "KRW",
    };

    private static Answer ApiKeys(Call c)
    {
        var list = new JsonArray();
        foreach (var key in c.State.Keys.Where(k => k.PocketUuid == c.Pocket.Uuid).OrderBy(k => k.AccessKey, StringComparer.Ordinal))
        {
            list.Add(new JsonObject { ["access_key"] = key.AccessKey, ["expire_at"] = Wire.Time(key.ExpireAt) });
        }

        return Answer.Ok(list);
    }

    private static Answer WalletStatus(Call c)
    {
        var list = new JsonArray();
        foreach (var (currency, netType, network) in Wallets)
        {
            list.Add(new JsonObject
            {
                ["currency"] = currency,
                ["wallet_state"] = "working",
                ["block_state"] = "normal",
                ["block_height"] = 1_000_000,
                ["block_updated_at"] = Wire.Time(c.Now),
                ["block_elapsed_minutes"] = 0,
                ["net_type"] = netType,
                ["network_name"] = network,
            });
        }

        return Answer.Ok(list);
    }
}
