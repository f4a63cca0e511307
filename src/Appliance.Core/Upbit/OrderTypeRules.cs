using Appliance.Common;

namespace Appliance.Upbit;

/// <summary>
/// Upbit's cross-parameter rules for placing orders, checked here so a bot learns of a malformed order before it
/// is signed (and so the policy never judges an order whose size is ambiguous):
/// limit needs volume and price; price (market buy) needs side=bid, price and no volume; market (market sell)
/// needs side=ask, volume and no price; best needs time_in_force ioc|fok, plus price (bid) or volume (ask);
/// time_in_force only with limit or best; post_only only with smp_type absent or none.
/// For POST /v1/orders/cancel_and_new the same rules apply to the new_* parameters; the side there is the
/// previous order's, so side-dependent rules are left to Upbit.
/// </summary>
internal static class OrderTypeRules
{
    public static void Check(Endpoint endpoint, IReadOnlyList<UpbitParam> parameters)
    {
        if (endpoint.Method != "POST") return;
        var (prefix, hasSide) = endpoint.Path switch
        {
            "/v1/orders" or "/v1/orders/test" => ("", true),
            "/v1/orders/cancel_and_new" => ("new_", false),
            _ => (null, false),
        };
        if (prefix is null) return;

        string? Get(string name)
        {
            foreach (var p in parameters)
            {
                if (p.Key == prefix + name) return p.Value;
            }
            return null;
        }

        var ordType = Get("ord_type");
        if (ordType is null) return; // the required-parameter check has already refused this
        var side = hasSide ? Get("side") : null;
        var volume = Get("volume");
        var price = Get("price");
        var timeInForce = Get("time_in_force");
        var smpType = Get("smp_type");
        var context = $"with {prefix}ord_type={ordType} in {endpoint}";

        void Need(string? value, string name)
        {
            if (value is null)
                throw Refusals.MissingParam(prefix + name, context);
        }

        void Forbid(string? value, string name)
        {
            if (value is not null)
                throw Refusals.NotAllowedWith(prefix + name, context);
        }

        void NeedSide(string expected, string meaning)
        {
            if (hasSide && side != expected)
                throw Refusals.WrongSide(ordType, meaning, expected);
        }

        switch (ordType)
        {
            case "limit":
                Need(volume, "volume");
                Need(price, "price");
                break;
            case "price":
                NeedSide("bid", "market buy sized by total price");
                Need(price, "price");
                Forbid(volume, "volume");
                break;
            case "market":
                NeedSide("ask", "market sell sized by volume");
                Need(volume, "volume");
                Forbid(price, "price");
                break;
            case "best":
                Need(timeInForce, "time_in_force");
                if (timeInForce == "post_only")
                    throw Refusals.BestNeedsIocOrFok(prefix + "time_in_force", context);
                if (side == "bid") { Need(price, "price"); Forbid(volume, "volume"); }
                if (side == "ask") { Need(volume, "volume"); Forbid(price, "price"); }
                break;
        }

        if (timeInForce is not null && ordType is not ("limit" or "best"))
            Forbid(timeInForce, "time_in_force");
        if (timeInForce == "post_only" && smpType is not (null or "none"))
        {
            throw Refusals.PostOnlyWithSmp(prefix + "smp_type", smpType);
        }
    }
}
