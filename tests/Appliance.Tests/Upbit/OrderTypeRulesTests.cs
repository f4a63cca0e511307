using Appliance.Common;
using Appliance.Upbit;

namespace Appliance.Tests.Upbit;

public class OrderTypeRulesTests
{
    public static TheoryData<string, string[], string?> Orders => new()
    {
        // ord_type limit: volume and price.
        { "/v1/orders", ["side", "bid", "ord_type", "limit", "volume", "1", "price", "100"], null },
        { "/v1/orders", ["side", "bid", "ord_type", "limit", "price", "100"], Reasons.MissingParam },
        { "/v1/orders", ["side", "ask", "ord_type", "limit", "volume", "1"], Reasons.MissingParam },
        { "/v1/orders", ["side", "bid", "ord_type", "limit", "volume", "1", "price", "100", "time_in_force", "post_only"], null },
        { "/v1/orders", ["side", "bid", "ord_type", "limit", "volume", "1", "price", "100", "time_in_force", "post_only", "smp_type", "none"], null },
        { "/v1/orders", ["side", "bid", "ord_type", "limit", "volume", "1", "price", "100", "time_in_force", "post_only", "smp_type", "reduce"], Reasons.BadParamValue },
        { "/v1/orders", ["side", "bid", "ord_type", "limit", "volume", "1", "price", "100", "smp_type", "cancel_maker"], null },
        // ord_type price: market buy by total.
        { "/v1/orders", ["side", "bid", "ord_type", "price", "price", "10000"], null },
        { "/v1/orders", ["side", "bid", "ord_type", "price", "price", "10000", "volume", "1"], Reasons.BadParamValue },
        { "/v1/orders", ["side", "bid", "ord_type", "price"], Reasons.MissingParam },
        { "/v1/orders", ["side", "ask", "ord_type", "price", "price", "10000"], Reasons.BadParamValue },
        { "/v1/orders", ["side", "bid", "ord_type", "price", "price", "10000", "time_in_force", "ioc"], Reasons.BadParamValue },
        // ord_type market: market sell by volume.
        { "/v1/orders", ["side", "ask", "ord_type", "market", "volume", "1"], null },
        { "/v1/orders", ["side", "ask", "ord_type", "market", "volume", "1", "price", "1"], Reasons.BadParamValue },
        { "/v1/orders", ["side", "ask", "ord_type", "market"], Reasons.MissingParam },
        { "/v1/orders", ["side", "bid", "ord_type", "market", "volume", "1"], Reasons.BadParamValue },
        // ord_type best: time_in_force ioc|fok; bid by price, ask by volume.
        { "/v1/orders", ["side", "bid", "ord_type", "best", "price", "10000", "time_in_force", "ioc"], null },
        { "/v1/orders", ["side", "ask", "ord_type", "best", "volume", "1", "time_in_force", "fok"], null },
        { "/v1/orders", ["side", "bid", "ord_type", "best", "price", "10000"], Reasons.MissingParam },
        { "/v1/orders", ["side", "bid", "ord_type", "best", "price", "10000", "time_in_force", "post_only"], Reasons.BadParamValue },
        { "/v1/orders", ["side", "bid", "ord_type", "best", "volume", "1", "time_in_force", "ioc"], Reasons.MissingParam },
        { "/v1/orders", ["side", "ask", "ord_type", "best", "volume", "1", "price", "1", "time_in_force", "ioc"], Reasons.BadParamValue },
        // The test endpoint follows the same rules.
        { "/v1/orders/test", ["side", "bid", "ord_type", "limit", "price", "100"], Reasons.MissingParam },
        { "/v1/orders/test", ["side", "ask", "ord_type", "market", "volume", "1"], null },
    };

    public static TheoryData<string[], string?> CancelAndNew => new()
    {
        { ["prev_order_uuid", "u", "new_ord_type", "limit", "new_volume", "1", "new_price", "100"], null },
        { ["prev_order_uuid", "u", "new_ord_type", "limit", "new_price", "100"], Reasons.MissingParam },
        { ["prev_order_uuid", "u", "new_ord_type", "market", "new_volume", "remain_only"], null },
        { ["prev_order_uuid", "u", "new_ord_type", "market", "new_volume", "1", "new_price", "1"], Reasons.BadParamValue },
        { ["prev_order_uuid", "u", "new_ord_type", "best", "new_price", "1"], Reasons.MissingParam },
        { ["prev_order_uuid", "u", "new_ord_type", "best", "new_price", "1", "new_time_in_force", "ioc"], null },
        { ["new_ord_type", "price", "new_price", "1"], Reasons.MissingParam },
        { ["prev_order_uuid", "u", "prev_order_identifier", "i", "new_ord_type", "price", "new_price", "1"], Reasons.BadParamValue },
    };

    [Theory]
    [MemberData(nameof(Orders))]
    public void OrderTypeRules(string path, string[] flat, string? reason)
    {
        var parameters = RequestValidatorTests.Params(["market", "KRW-BTC", .. flat]);
        Check(() => RequestValidator.Validate("POST", path, parameters), reason);
    }

    [Theory]
    [MemberData(nameof(CancelAndNew))]
    public void CancelAndNewRules(string[] flat, string? reason) =>
        Check(() => RequestValidator.Validate("POST", "/v1/orders/cancel_and_new", RequestValidatorTests.Params(flat)), reason);

    private static void Check(Func<Endpoint> validate, string? reason)
    {
        if (reason is null)
        {
            validate();
            return;
        }
        var refusal = Assert.Throws<SignRefusal>(() => validate());
        Assert.Equal(reason, refusal.Reason);
    }
}
