namespace Appliance.StandIn;

/// <summary>
/// A new order as asked, validated against Upbit's rules for POST /v1/orders (docs "주문 생성";
/// shared/upbit-api.md §3): limit needs price+volume; price (market buy) needs price only and side=bid;
/// market (market sell) needs volume only and side=ask; best needs time_in_force ioc|fok and price (bid)
/// or volume (ask). smp_type defaults to cancel_maker, or none with post_only (SMP changelog 2026-11-09).
/// </summary>
internal sealed record OrderDraft(
    MarketInfo Market,
    string Side,
    string OrdType,
    decimal? Price,
    decimal? Volume,
    string? TimeInForce,
    string SmpType,
    string? Identifier)
{
    /// <summary>Upbit's message for a bad side; ccxt maps exactly this text to InvalidOrder.</summary>
    public const string SideMessage = "side is missing, side does not have a valid value";

    public bool IsBid => Side == "bid";

    public static OrderDraft FromOrderParams(RequestArgs a, ExchangeState state)
    {
        var marketId = a.Required("market");
        var market = state.Markets.GetValueOrDefault(marketId)
            ?? throw UpbitRejection.Validation($"market '{marketId}' is not listed on the stand-in; use one of: {string.Join(", ", state.Markets.Keys)}");
        var side = a.Get("side");
        if (side is not ("bid" or "ask"))
        {
            throw new UpbitRejection(400, UpbitErrorNames.ValidationError, SideMessage, $"side '{side}' is not valid; send bid (buy) or ask (sell)");
        }

        return Validate(market, side, a.Required("ord_type"), a.Positive("price"), a.Positive("volume"),
            a.Get("time_in_force"), a.Get("smp_type"), a.Get("identifier"), prefix: "");
    }

    /// <summary>Checks the combination; <paramref name="prefix"/> is "new_" for cancel_and_new, so errors name the right field.</summary>
    public static OrderDraft Validate(
        MarketInfo market, string side, string ordType, decimal? price, decimal? volume, string? tif, string? smp, string? identifier, string prefix)
    {
        var isBid = side == "bid";
        switch (ordType)
        {
            case "limit":
                Need(price, prefix + "price");
                Need(volume, prefix + "volume");
                Allow(tif, prefix, "ioc", "fok", "post_only");
                break;
            case "price":
                Rule(isBid, $"{prefix}ord_type=price is a market BUY (side=bid, total in {prefix}price); sell at market with {prefix}ord_type=market");
                Need(price, prefix + "price");
                Rule(volume is null, $"{prefix}ord_type=price takes the total in {prefix}price and no {prefix}volume; drop {prefix}volume");
                Rule(tif is null, $"{prefix}time_in_force is for limit and best orders only; drop it");
                break;
            case "market":
                Rule(!isBid, $"{prefix}ord_type=market is a market SELL (side=ask); buy at market with {prefix}ord_type=price");
                Need(volume, prefix + "volume");
                Rule(price is null, $"{prefix}ord_type=market takes {prefix}volume and no {prefix}price; drop {prefix}price");
                Rule(tif is null, $"{prefix}time_in_force is for limit and best orders only; drop it");
                break;
            case "best":
                if (tif is null)
                {
                    throw UpbitRejection.Missing(prefix + "time_in_force");
                }

                Allow(tif, prefix, "ioc", "fok");
                Need(isBid ? price : volume, prefix + (isBid ? "price" : "volume"));
                Rule(isBid ? volume is null : price is null, $"a best {(isBid ? "buy takes the total in price and no volume" : "sell takes volume and no price")}; drop the other");
                break;
            default:
                throw UpbitRejection.Validation($"{prefix}ord_type '{ordType}' is not valid; use limit, price, market or best");
        }

        var smpType = smp ?? (tif == "post_only" ? "none" : "cancel_maker");
        if (smpType is not ("cancel_maker" or "cancel_taker" or "reduce" or "none"))
        {
            throw UpbitRejection.Validation($"{prefix}smp_type '{smp}' is not valid; use cancel_maker, cancel_taker, reduce or none");
        }

        Rule(tif != "post_only" || smpType == "none", $"post_only cannot be combined with {prefix}smp_type={smpType}; drop {prefix}smp_type or send none");
        return new OrderDraft(market, side, ordType, price, volume, tif, smpType, identifier);
    }

    /// <summary>The order's value in the quote currency (what Upbit compares with the minimum order total).</summary>
    public decimal Total => OrdType switch
    {
        "limit" => Price!.Value * Volume!.Value,
        "price" => Price!.Value,
        "best" when IsBid => Price!.Value,
        _ => Volume!.Value * Market.Price,
    };

    private static void Need(decimal? value, string name)
    {
        if (value is null)
        {
            throw UpbitRejection.Missing(name);
        }
    }

    private static void Allow(string? tif, string prefix, params string[] allowed)
    {
        if (tif is not null && !allowed.Contains(tif))
        {
            throw UpbitRejection.Validation($"{prefix}time_in_force '{tif}' is not valid here; use {string.Join(" or ", allowed)}");
        }
    }

    private static void Rule(bool ok, string reason)
    {
        if (!ok)
        {
            throw UpbitRejection.Validation(reason);
        }
    }
}
