using System.Text.Json.Nodes;

namespace Appliance.StandIn;

/// <summary>
/// Orders in Upbit's shapes. REST: the order object of POST /v1/orders, GET/DELETE /v1/order and the
/// list endpoints (NumberString decimals, KST created_at; checked against docs.upbit.com "주문 취소 접수"
/// response table and ccxt 4.5.84 upbit.js parseOrder). WebSocket: the DEFAULT-format myOrder event
/// (docs websocket-myorder: JSON numbers, ms timestamps, upper-case ask_bid; ccxt pro parseWsOrder).
/// </summary>
internal static class OrderJson
{
    public static JsonObject Rest(Order o, bool withTrades = false)
    {
        var json = new JsonObject
        {
            ["uuid"] = o.Uuid,
            ["side"] = o.Side,
            ["ord_type"] = o.OrdType,
            ["price"] = Wire.Num(o.Price),
            ["state"] = o.State,
            ["market"] = o.Market.Id,
            ["created_at"] = Wire.Time(o.CreatedAt),
            ["volume"] = Wire.Num(o.Volume),
            ["remaining_volume"] = Wire.Num(o.RemainingVolume),
            ["executed_volume"] = Wire.Num(o.ExecutedVolume),
            ["executed_funds"] = Wire.Num(o.ExecutedFunds),
            ["reserved_fee"] = Wire.Num(o.ReservedFee),
            ["remaining_fee"] = Wire.Num(o.RemainingFee),
            ["paid_fee"] = Wire.Num(o.PaidFee),
            ["locked"] = Wire.Num(o.Locked),
            ["prevented_volume"] = "0",
            ["prevented_locked"] = "0",
            ["trades_count"] = o.Trades.Count,
        };
        if (o.TimeInForce is not null)
        {
            json["time_in_force"] = o.TimeInForce;
        }

        if (o.Identifier is not null)
        {
            json["identifier"] = o.Identifier;
        }

        json["smp_type"] = o.SmpType;
        if (withTrades)
        {
            json["trades"] = new JsonArray([.. o.Trades.Select(t => (JsonNode)RestTrade(t))]);
        }

        return json;
    }

    public static JsonObject RestTrade(Trade t) => new()
    {
        ["market"] = t.Market,
        ["uuid"] = t.Uuid,
        ["price"] = Wire.Num(t.Price),
        ["volume"] = Wire.Num(t.Volume),
        ["funds"] = Wire.Num(t.Funds),
        ["trend"] = null,
        ["created_at"] = Wire.Time(t.CreatedAt),
        ["side"] = t.Side,
    };

    /// <summary>A myOrder event: <paramref name="state"/> is wait/trade/done/cancel; with a trade, price/volume are the trade's.</summary>
    public static JsonObject Socket(Order o, string state, Trade? trade, DateTimeOffset now) => new()
    {
        ["type"] = "myOrder",
        ["code"] = o.Market.Id,
        ["uuid"] = o.Uuid,
        ["ask_bid"] = o.IsBid ? "BID" : "ASK",
        ["order_type"] = o.OrdType,
        ["state"] = state,
        ["trade_uuid"] = trade?.Uuid,
        ["price"] = trade?.Price ?? o.Price,
        ["avg_price"] = o.AvgPrice ?? 0m,
        ["volume"] = trade?.Volume ?? o.Volume,
        ["remaining_volume"] = o.RemainingVolume,
        ["executed_volume"] = o.ExecutedVolume,
        ["trades_count"] = o.Trades.Count,
        ["reserved_fee"] = o.ReservedFee,
        ["remaining_fee"] = o.RemainingFee,
        ["paid_fee"] = o.PaidFee,
        ["locked"] = o.Locked,
        ["executed_funds"] = o.ExecutedFunds,
        ["time_in_force"] = o.TimeInForce,
        ["trade_fee"] = trade?.Fee,
        ["is_maker"] = trade is null ? null : o.OrdType == "limit" && o.TimeInForce is null,
        ["identifier"] = o.Identifier,
        ["smp_type"] = o.SmpType,
        ["prevented_volume"] = 0m,
        ["prevented_locked"] = 0m,
        ["trade_timestamp"] = trade is null ? null : Wire.Millis(trade.CreatedAt),
        ["order_timestamp"] = Wire.Millis(o.CreatedAt),
        ["timestamp"] = Wire.Millis(now),
        ["stream_type"] = "REALTIME",
    };
}
