namespace Appliance.StandIn;

/// <summary>
/// The stand-in's matching, deliberately simple and deterministic: plain limit orders rest ("wait")
/// until a test calls <see cref="StandInExchange.FillOrder"/> or they are cancelled; price/market/best
/// orders fill at once at the market's fixed price ("done"); limit ioc/fok fill at the fixed price when
/// they cross it and are cancelled when they do not; post_only that would cross is cancelled. Every
/// change publishes myOrder (wait / trade / done / cancel) and myAsset events. Callers hold the gate.
/// </summary>
internal static class Matching
{
    public static Order Place(ExchangeState s, Pocket p, OrderDraft d, bool execute)
    {
        var m = d.Market;
        var total = CheckMinTotal(d);

        var fee = Wire.Round8(total * m.FeeRate);
        var (currency, need) = d.IsBid ? (m.Quote, total + fee) : (m.Base, d.Volume!.Value);
        if (p[currency].Balance < need)
        {
            throw new UpbitRejection(400, d.IsBid ? UpbitErrorNames.InsufficientFundsBid : UpbitErrorNames.InsufficientFundsAsk,
                $"주문가능한 금액({currency})이 부족합니다.", $"needs {Wire.Num(need)} {currency}, {Wire.Num(p[currency].Balance)} available");
        }

        var order = new Order
        {
            Uuid = s.NewUuid(),
            PocketUuid = p.Uuid,
            Market = m,
            Side = d.Side,
            OrdType = d.OrdType,
            Price = d.Price,
            Volume = d.OrdType == "price" || (d.OrdType == "best" && d.IsBid) ? null : d.Volume,
            CreatedAt = s.Now,
            Identifier = d.Identifier,
            TimeInForce = d.TimeInForce,
            SmpType = d.SmpType,
        };
        order.RemainingVolume = order.Volume;
        order.ReservedFee = d.IsBid ? fee : 0;
        order.RemainingFee = order.ReservedFee;
        order.Locked = need;
        if (!execute)
        {
            return order;
        }

        s.Orders.Add(order);
        s.OrdersByUuid[order.Uuid] = order;
        var crosses = d.OrdType == "limit" && (d.IsBid ? d.Price >= m.Price : d.Price <= m.Price);
        if (d.OrdType == "limit" && (d.TimeInForce == "post_only" ? crosses : d.TimeInForce is not null && !crosses))
        {
            Finish(s, order, "cancel");
            return order;
        }

        p.TryLock(currency, need);
        order.HoldsLock = true;
        if (d.OrdType == "limit" && (d.TimeInForce is null || d.TimeInForce == "post_only"))
        {
            s.PublishOrder(order, "wait", null);
            s.PublishAssets(p, currency);
            return order;
        }

        var volume = d.IsBid && order.Volume is null ? Wire.Round8(total / m.Price) : d.Volume!.Value;
        Execute(s, p, order, volume, m.Price);
        Finish(s, order, "done");
        return order;
    }

    /// <summary>400 under_min_total_bid/ask if the order is worth less than the market's minimum; returns the total.</summary>
    public static decimal CheckMinTotal(OrderDraft d)
    {
        var m = d.Market;
        var total = d.Total;
        if (total < m.MinTotal)
        {
            throw new UpbitRejection(400, d.IsBid ? UpbitErrorNames.UnderMinTotalBid : UpbitErrorNames.UnderMinTotalAsk,
                "최소주문금액 이상으로 주문해주세요", $"order total {Wire.Num(total)} {m.Quote} is under the minimum {Wire.Num(m.MinTotal)} {m.Quote}; raise volume or price");
        }

        return total;
    }

    /// <summary>Fills what remains of a resting limit order at its own price (a counterparty arrived).</summary>
    public static void FillResting(ExchangeState s, Order o)
    {
        if (o.State != "wait" || o.RemainingVolume is not { } remaining)
        {
            throw new InvalidOperationException($"Order {o.Uuid} is {o.State} ({o.OrdType}); only a resting limit order in wait can be filled.");
        }

        var p = s.PocketByUuid(o.PocketUuid)!;
        Execute(s, p, o, remaining, o.Price!.Value);
        Finish(s, o, "done");
    }

    /// <summary>Cancels a waiting order; returns its snapshot as Upbit's cancel answer shows it (state still "wait").</summary>
    public static System.Text.Json.Nodes.JsonObject Cancel(ExchangeState s, Order o)
    {
        var snapshot = OrderJson.Rest(o);
        Finish(s, o, "cancel");
        return snapshot;
    }

    /// <summary>One trade of <paramref name="volume"/> at <paramref name="price"/>, paid from the order's lock.</summary>
    private static void Execute(ExchangeState s, Pocket p, Order o, decimal volume, decimal price)
    {
        var m = o.Market;
        var funds = Wire.Round8(volume * price);
        var fee = Wire.Round8(funds * m.FeeRate);
        if (o.IsBid)
        {
            var quote = p[m.Quote];
            quote.Locked -= funds + fee;
            o.Locked -= funds + fee;
            o.RemainingFee -= fee;
            var holding = p[m.Base];
            if (m.Quote == "KRW")
            {
                var held = holding.Balance + holding.Locked;
                holding.AvgBuyPrice = Wire.Round8(((held * holding.AvgBuyPrice) + funds) / (held + volume));
            }

            holding.Balance += volume;
        }
        else
        {
            p[m.Base].Locked -= volume;
            o.Locked -= volume;
            p[m.Quote].Balance += funds - fee;
        }

        o.ExecutedVolume += volume;
        o.ExecutedFunds += funds;
        o.PaidFee += fee;
        if (o.RemainingVolume is not null)
        {
            o.RemainingVolume -= volume;
        }

        var trade = new Trade(s.NewUuid(), m.Id, o.Side, price, volume, funds, fee, s.Now);
        o.Trades.Add(trade);
        s.PublishOrder(o, "trade", trade);
    }

    /// <summary>Ends an order: whatever is still locked goes back to the orderable balance.</summary>
    private static void Finish(ExchangeState s, Order o, string state)
    {
        var p = s.PocketByUuid(o.PocketUuid)!;
        var currency = o.IsBid ? o.Market.Quote : o.Market.Base;
        if (o.HoldsLock && o.Locked > 0)
        {
            p.Unlock(currency, o.Locked);
        }

        o.HoldsLock = false;
        o.Locked = 0;
        o.RemainingFee = 0;
        o.State = state;
        s.PublishOrder(o, state, null);
        s.PublishAssets(p, o.Market.Quote, o.Market.Base);
    }
}
