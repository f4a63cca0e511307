using System.Net;
using static Appliance.StandIn.Tests.StandInClient;

namespace Appliance.StandIn.Tests.Orders;

/// <summary>Orders from placement to the end of their life, checked through the API as a client sees them.</summary>
public sealed class OrderLifecycleTests
{
    [Fact]
    public async Task LimitBidRestsLocksFundsAndCancelReleasesThem()
    {
        await using var ex = await TestExchange.StartAsync();

        var placed = await CallAsync(ex, "POST", "/v1/orders",
            ("market", "KRW-BTC"), ("side", "bid"), ("volume", "0.01"), ("price", "90000000"), ("ord_type", "limit"), ("identifier", "lc-1"));
        Assert.True(placed.Status == HttpStatusCode.Created, placed.Body);
        var order = placed.Json();
        var uuid = order.GetProperty("uuid").GetString()!;
        Assert.Equal(("wait", "900450", "450"), (order.GetProperty("state").GetString(), order.GetProperty("locked").GetString(), order.GetProperty("reserved_fee").GetString()));
        Assert.Equal(new StandInHolding(100_000_000m - 900_450m, 900_450m), ex.Holdings()["KRW"]);

        var open = (await CallAsync(ex, "GET", "/v1/orders/open", ("market", "KRW-BTC"))).Json();
        Assert.Equal(uuid, Assert.Single(open.EnumerateArray()).GetProperty("uuid").GetString());
        var byIdentifier = (await CallAsync(ex, "GET", "/v1/order", ("identifier", "lc-1"))).Json();
        Assert.Equal(uuid, byIdentifier.GetProperty("uuid").GetString());
        Assert.Equal(0, byIdentifier.GetProperty("trades").GetArrayLength());

        var cancelled = await CallAsync(ex, "DELETE", "/v1/order", ("uuid", uuid));
        Assert.True(cancelled.IsSuccess, cancelled.Body);
        Assert.Equal("wait", cancelled.Json().GetProperty("state").GetString()); // Upbit answers the order as it was when the cancel was accepted
        Assert.Equal("cancel", ex.OrderState(uuid));
        Assert.Equal(new StandInHolding(100_000_000m, 0m), ex.Holdings()["KRW"]);
        var closedAnswer = await CallAsync(ex, "GET", "/v1/orders/closed", ("state", "cancel"));
        Assert.True(closedAnswer.IsSuccess, closedAnswer.Body);
        var closed = closedAnswer.Json();
        Assert.Equal(uuid, Assert.Single(closed.EnumerateArray()).GetProperty("uuid").GetString());

        var again = await CallAsync(ex, "DELETE", "/v1/order", ("uuid", uuid));
        Assert.Equal((HttpStatusCode.NotFound, UpbitErrorNames.OrderNotFound), (again.Status, again.ErrorName));
    }

    [Fact]
    public async Task MarketBuyAndSellFillAtOnceAtTheFixedPrice()
    {
        await using var ex = await TestExchange.StartAsync();

        var buy = (await CallAsync(ex, "POST", "/v1/orders", ("market", "KRW-BTC"), ("side", "bid"), ("price", "1000000"), ("ord_type", "price"))).Json();
        var sell = (await CallAsync(ex, "POST", "/v1/orders", ("market", "KRW-BTC"), ("side", "ask"), ("volume", "0.005"), ("ord_type", "market"))).Json();

        Assert.Equal(("done", "0.01", "500"), (buy.GetProperty("state").GetString(), buy.GetProperty("executed_volume").GetString(), buy.GetProperty("paid_fee").GetString()));
        Assert.Equal(("done", "0.005", "250"), (sell.GetProperty("state").GetString(), sell.GetProperty("executed_volume").GetString(), sell.GetProperty("paid_fee").GetString()));
        Assert.Equal(new StandInHolding(1.005m, 0m), ex.Holdings()["BTC"]);
        Assert.Equal(new StandInHolding(100_000_000m - 1_000_500m + 499_750m, 0m), ex.Holdings()["KRW"]);
        var fetched = (await CallAsync(ex, "GET", "/v1/order", ("uuid", buy.GetProperty("uuid").GetString()!))).Json();
        var trade = Assert.Single(fetched.GetProperty("trades").EnumerateArray());
        Assert.Equal(("100000000", "0.01", "1000000"), (trade.GetProperty("price").GetString(), trade.GetProperty("volume").GetString(), trade.GetProperty("funds").GetString()));
    }

    [Fact]
    public async Task RestingAskFilledByTheTestCompletesAtItsPrice()
    {
        await using var ex = await TestExchange.StartAsync();
        var uuid = (await CallAsync(ex, "POST", "/v1/orders", ("market", "KRW-BTC"), ("side", "ask"), ("volume", "0.1"), ("price", "110000000"), ("ord_type", "limit")))
            .Json().GetProperty("uuid").GetString()!;
        Assert.Equal(new StandInHolding(0.9m, 0.1m), ex.Holdings()["BTC"]);

        ex.FillOrder(uuid);

        Assert.Equal("done", ex.OrderState(uuid));
        Assert.Equal(new StandInHolding(0.9m, 0m), ex.Holdings()["BTC"]);
        Assert.Equal(100_000_000m + 11_000_000m - 5_500m, ex.Holdings()["KRW"].Balance);
        Assert.Throws<InvalidOperationException>(() => ex.FillOrder(uuid));
    }

    [Fact]
    public async Task IdentifierIsSingleUseForeverEvenAfterAFailedOrder()
    {
        await using var ex = await TestExchange.StartAsync();

        var tooBig = await CallAsync(ex, "POST", "/v1/orders", ("market", "KRW-BTC"), ("side", "bid"), ("volume", "100"), ("price", "100000000"), ("ord_type", "limit"), ("identifier", "once"));
        var retry = await CallAsync(ex, "POST", "/v1/orders", ("market", "KRW-BTC"), ("side", "bid"), ("volume", "0.01"), ("price", "100000000"), ("ord_type", "limit"), ("identifier", "once"));
        var fresh = await CallAsync(ex, "POST", "/v1/orders", ("market", "KRW-BTC"), ("side", "bid"), ("volume", "0.01"), ("price", "100000000"), ("ord_type", "limit"), ("identifier", "twice"));
        var reuse = await CallAsync(ex, "POST", "/v1/orders", ("market", "KRW-BTC"), ("side", "bid"), ("volume", "0.01"), ("price", "100000000"), ("ord_type", "limit"), ("identifier", "twice"));

        Assert.Equal((HttpStatusCode.BadRequest, UpbitErrorNames.InsufficientFundsBid), (tooBig.Status, tooBig.ErrorName));
        Assert.Equal((HttpStatusCode.BadRequest, UpbitErrorNames.ValidationError), (retry.Status, retry.ErrorName));
        Assert.Contains("already used", retry.Body);
        Assert.Equal(HttpStatusCode.Created, fresh.Status);
        Assert.Equal((HttpStatusCode.BadRequest, UpbitErrorNames.ValidationError), (reuse.Status, reuse.ErrorName));
        Assert.Single((await CallAsync(ex, "GET", "/v1/orders/open")).Json().EnumerateArray());
    }

    [Fact]
    public async Task TestOrderValidatesButStoresNothingAndKeepsTheIdentifier()
    {
        await using var ex = await TestExchange.StartAsync();

        var test = await CallAsync(ex, "POST", "/v1/orders/test", ("market", "KRW-BTC"), ("side", "bid"), ("volume", "0.01"), ("price", "100000000"), ("ord_type", "limit"), ("identifier", "t-1"));
        var bad = await CallAsync(ex, "POST", "/v1/orders/test", ("market", "KRW-BTC"), ("side", "bid"), ("volume", "0.00001"), ("price", "100000000"), ("ord_type", "limit"));
        var real = await CallAsync(ex, "POST", "/v1/orders", ("market", "KRW-BTC"), ("side", "bid"), ("volume", "0.01"), ("price", "100000000"), ("ord_type", "limit"), ("identifier", "t-1"));

        Assert.Equal(("wait", "group=order-test; min=1800; sec=7"), (test.Json().GetProperty("state").GetString(), test.RemainingReq));
        Assert.Null(ex.OrderState(test.Json().GetProperty("uuid").GetString()!));
        Assert.Equal((HttpStatusCode.BadRequest, UpbitErrorNames.UnderMinTotalBid), (bad.Status, bad.ErrorName));
        Assert.Equal(HttpStatusCode.Created, real.Status);
    }

    [Fact]
    public async Task CancelAndNewReplacesTheOrderAndAnswersTheNewUuid()
    {
        await using var ex = await TestExchange.StartAsync();
        var old = (await CallAsync(ex, "POST", "/v1/orders", ("market", "KRW-BTC"), ("side", "bid"), ("volume", "0.01"), ("price", "90000000"), ("ord_type", "limit"), ("identifier", "old")))
            .Json().GetProperty("uuid").GetString()!;

        var sameId = await CallAsync(ex, "POST", "/v1/orders/cancel_and_new", ("prev_order_uuid", old), ("new_ord_type", "limit"), ("new_price", "91000000"), ("new_volume", "remain_only"), ("new_identifier", "old"));
        var swap = await CallAsync(ex, "POST", "/v1/orders/cancel_and_new", ("prev_order_identifier", "old"), ("new_ord_type", "limit"), ("new_price", "91000000"), ("new_volume", "remain_only"), ("new_identifier", "new"));

        Assert.Equal(UpbitErrorNames.ValidationError, sameId.ErrorName);
        Assert.True(swap.Status == HttpStatusCode.Created, swap.Body);
        var answer = swap.Json();
        var next = answer.GetProperty("new_order_uuid").GetString()!;
        Assert.Equal((old, "new"), (answer.GetProperty("uuid").GetString(), answer.GetProperty("new_order_identifier").GetString()));
        Assert.Equal(("cancel", "wait"), (ex.OrderState(old), ex.OrderState(next)));
        var fetched = (await CallAsync(ex, "GET", "/v1/order", ("uuid", next))).Json();
        Assert.Equal(("91000000", "0.01"), (fetched.GetProperty("price").GetString(), fetched.GetProperty("volume").GetString()));
    }

    [Fact]
    public async Task BulkCancelsAnswerSuccessAndFailedLists()
    {
        await using var ex = await TestExchange.StartAsync();
        string Place(StandInResponse r) => r.Json().GetProperty("uuid").GetString()!;
        var btc = Place(await CallAsync(ex, "POST", "/v1/orders", ("market", "KRW-BTC"), ("side", "bid"), ("volume", "0.01"), ("price", "90000000"), ("ord_type", "limit")));
        var eth = Place(await CallAsync(ex, "POST", "/v1/orders", ("market", "KRW-ETH"), ("side", "bid"), ("volume", "1"), ("price", "4000000"), ("ord_type", "limit")));
        var xrp = Place(await CallAsync(ex, "POST", "/v1/orders", ("market", "KRW-XRP"), ("side", "ask"), ("volume", "100"), ("price", "2000"), ("ord_type", "limit")));

        var byPairs = await CallAsync(ex, "DELETE", "/v1/orders/open", ("cancel_side", "bid"), ("pairs", "KRW-BTC,KRW-XRP"));
        var byIds = await CallAsync(ex, "DELETE", "/v1/orders/uuids", ("uuids[]", eth), ("uuids[]", btc));

        Assert.Equal("group=order-cancel-all; min=1800; sec=0", byPairs.RemainingReq);
        var success = byPairs.Json().GetProperty("success");
        Assert.Equal((1, btc, "KRW-BTC"), (success.GetProperty("count").GetInt32(), success.GetProperty("orders")[0].GetProperty("uuid").GetString(), success.GetProperty("orders")[0].GetProperty("market").GetString()));
        Assert.Equal(0, byPairs.Json().GetProperty("failed").GetProperty("count").GetInt32());
        var ids = byIds.Json();
        Assert.Equal((1, eth), (ids.GetProperty("success").GetProperty("count").GetInt32(), ids.GetProperty("success").GetProperty("orders")[0].GetProperty("uuid").GetString()));
        Assert.Equal((1, btc), (ids.GetProperty("failed").GetProperty("count").GetInt32(), ids.GetProperty("failed").GetProperty("orders")[0].GetProperty("uuid").GetString()));
        Assert.Equal(("cancel", "cancel", "wait"), (ex.OrderState(btc), ex.OrderState(eth), ex.OrderState(xrp)));
    }

    [Theory]
    [InlineData("no side", "market=KRW-BTC&volume=0.01&price=100000000&ord_type=limit", "side is missing, side does not have a valid value")]
    [InlineData("no price", "market=KRW-BTC&side=bid&volume=0.01&ord_type=limit", UpbitErrorNames.MissingParameterMessage)]
    [InlineData("price order selling", "market=KRW-BTC&side=ask&price=10000&ord_type=price", "ord_type=price is a market BUY")]
    [InlineData("best without time_in_force", "market=KRW-BTC&side=ask&volume=0.01&ord_type=best", UpbitErrorNames.MissingParameterMessage)]
    [InlineData("unknown market", "market=KRW-DOGE&side=bid&volume=1&price=100&ord_type=limit", "not listed on the stand-in")]
    public async Task MalformedOrderIsValidationErrorAndChangesNothing(string what, string form, string message)
    {
        await using var ex = await TestExchange.StartAsync();
        var args = form.Split('&').Select(p => p.Split('=')).Select(p => (p[0], p[1])).ToArray();

        var response = await CallAsync(ex, "POST", "/v1/orders", args);

        Assert.True(response.ErrorName == UpbitErrorNames.ValidationError && response.Body.Contains(message, StringComparison.Ordinal), $"{what}: {response.Body}");
        Assert.Equal(new StandInHolding(100_000_000m, 0m), ex.Holdings()["KRW"]);
    }
}
