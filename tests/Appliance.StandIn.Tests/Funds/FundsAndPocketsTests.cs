using System.Net;
using static Appliance.StandIn.Tests.StandInClient;

namespace Appliance.StandIn.Tests.Funds;

/// <summary>Withdrawals, deposits, the travel rule and pockets, plus what every answer carries.</summary>
public sealed class FundsAndPocketsTests
{
    private const string Address = "bc1qexampleaddress0000000000000000000000";

    [Fact]
    public async Task CoinWithdrawalLocksAmountAndFeeUntilCancelledOrDone()
    {
        await using var ex = await TestExchange.StartAsync();

        var w = await CallAsync(ex, "POST", "/v1/withdraws/coin", ("currency", "BTC"), ("net_type", "BTC"), ("amount", "0.1"), ("address", Address));
        Assert.True(w.Status == HttpStatusCode.Created, w.Body);
        var json = w.Json();
        var uuid = json.GetProperty("uuid").GetString()!;
        Assert.Equal(("withdraw", "WAITING", "0.1", "0.0002", true), (json.GetProperty("type").GetString(), json.GetProperty("state").GetString(),
            json.GetProperty("amount").GetString(), json.GetProperty("fee").GetString(), json.GetProperty("is_cancelable").GetBoolean()));
        Assert.Equal(new StandInHolding(0.8998m, 0.1002m), ex.Holdings()["BTC"]);

        var cancelled = (await CallAsync(ex, "DELETE", "/v1/withdraws/coin", ("uuid", uuid))).Json();
        Assert.Equal("CANCELLED", cancelled.GetProperty("state").GetString());
        Assert.Equal(new StandInHolding(1m, 0m), ex.Holdings()["BTC"]);

        var second = (await CallAsync(ex, "POST", "/v1/withdraws/coin", ("currency", "BTC"), ("net_type", "BTC"), ("amount", "0.1"), ("address", Address))).Json();
        ex.CompleteWithdrawal(second.GetProperty("uuid").GetString()!);
        var latest = (await CallAsync(ex, "GET", "/v1/withdraw")).Json();
        Assert.Equal(("DONE", false), (latest.GetProperty("state").GetString(), latest.GetProperty("is_cancelable").GetBoolean()));
        Assert.Equal(new StandInHolding(0.8998m, 0m), ex.Holdings()["BTC"]);
        Assert.Equal(2, (await CallAsync(ex, "GET", "/v1/withdraws", ("currency", "BTC"))).Json().GetArrayLength());
    }

    [Fact]
    public async Task WithdrawalToAnUnlistedAddressOrBeyondTheBalanceIsRefused()
    {
        await using var ex = await TestExchange.StartAsync();

        var unlisted = await CallAsync(ex, "POST", "/v1/withdraws/coin", ("currency", "BTC"), ("net_type", "BTC"), ("amount", "0.1"), ("address", "bc1qsomeoneelse"));
        var tooMuch = await CallAsync(ex, "POST", "/v1/withdraws/coin", ("currency", "BTC"), ("net_type", "BTC"), ("amount", "1"), ("address", Address));
        var krw = await CallAsync(ex, "POST", "/v1/withdraws/krw", ("amount", "10000"));

        Assert.Equal((HttpStatusCode.BadRequest, UpbitErrorNames.WithdrawAddressNotRegistered), (unlisted.Status, unlisted.ErrorName));
        Assert.Equal((HttpStatusCode.BadRequest, UpbitErrorNames.InsufficientFunds), (tooMuch.Status, tooMuch.ErrorName)); // 1 BTC + fee > 1 BTC
        Assert.Equal((HttpStatusCode.BadRequest, UpbitErrorNames.MissingParameterMessage), (krw.Status, krw.Json().GetProperty("error").GetProperty("message").GetString()));
        Assert.Equal(new StandInHolding(1m, 0m), ex.Holdings()["BTC"]);
    }

    [Fact]
    public async Task SuspectedDepositIsCreditedAfterTravelRuleVerification()
    {
        await using var ex = await TestExchange.StartAsync();
        var (uuid, _) = ex.AddDeposit("ETH", "ETH", 2m, travelRuleSuspected: true);
        var vasp = (await CallAsync(ex, "GET", "/v1/travel_rule/vasps")).Json()[0].GetProperty("vasp_uuid").GetString()!;
        Assert.Equal("TRAVEL_RULE_SUSPECTED", (await CallAsync(ex, "GET", "/v1/deposit", ("uuid", uuid))).Json().GetProperty("state").GetString());

        var verified = (await CallAsync(ex, "POST", "/v1/travel_rule/deposit/uuid", ("deposit_uuid", uuid), ("vasp_uuid", vasp))).Json();

        Assert.Equal((uuid, "verified", "ACCEPTED"), (verified.GetProperty("deposit_uuid").GetString(), verified.GetProperty("verification_result").GetString(), verified.GetProperty("deposit_state").GetString()));
        Assert.Equal(12m, ex.Holdings()["ETH"].Balance);
    }

    [Fact]
    public async Task DepositAddressIsCreatedOnTheSecondAsk()
    {
        await using var ex = await TestExchange.StartAsync();

        var first = (await CallAsync(ex, "POST", "/v1/deposits/generate_coin_address", ("currency", "BTC"), ("net_type", "BTC"))).Json();
        var second = (await CallAsync(ex, "POST", "/v1/deposits/generate_coin_address", ("currency", "BTC"), ("net_type", "BTC"))).Json();

        Assert.True(first.GetProperty("success").GetBoolean());
        Assert.Contains("not-upbit", second.GetProperty("deposit_address").GetString());
    }

    [Fact]
    public async Task PocketTransfersMoveFundsAndSubPocketKeysAreScoped()
    {
        await using var ex = await TestExchange.StartAsync();
        ex.AddKey("sub-key", "sub-secret", subPocket: true);
        var (main, sub) = ex.PocketUuids;
        var pockets = (await CallAsync(ex, "GET", "/v1/pockets")).Json();
        Assert.Equal([main, sub], pockets.EnumerateArray().Select(p => p.GetProperty("uuid").GetString()));

        var moved = await CallAsync(ex, "POST", "/v1/pockets/universal_transfers", ("to", sub), ("currency", "KRW"), ("amount", "50000"), ("identifier", "move-1"));
        var reused = await CallAsync(ex, "POST", "/v1/pockets/universal_transfers", ("to", sub), ("currency", "KRW"), ("amount", "1"), ("identifier", "move-1"));
        var subAccounts = await SendAsync(ex, "GET", "/v1/accounts", null, HandMadeJwt.ForRequest("sub-key", "sub-secret", null));
        var subListsPockets = await SendAsync(ex, "GET", "/v1/pockets", null, HandMadeJwt.ForRequest("sub-key", "sub-secret", null));

        Assert.Equal("done", moved.Json().GetProperty("state").GetString());
        Assert.Equal(UpbitErrorNames.ValidationError, reused.ErrorName);
        Assert.Equal(1_050_000m, ex.Holdings(subPocket: true)["KRW"].Balance);
        Assert.Equal("1050000", subAccounts.Json()[0].GetProperty("balance").GetString());
        Assert.Equal((HttpStatusCode.Unauthorized, UpbitErrorNames.OutOfScope), (subListsPockets.Status, subListsPockets.ErrorName));
        var assets = (await CallAsync(ex, "GET", "/v1/pockets/assets", ("uuid", sub))).Json();
        Assert.Equal("1050000", assets[0].GetProperty("balance").GetString());
    }

    [Fact]
    public async Task EveryAnswerCarriesRemainingReqAndUpbitContentType()
    {
        await using var ex = await TestExchange.StartAsync();

        var accounts = await CallAsync(ex, "GET", "/v1/accounts");
        var order = await CallAsync(ex, "POST", "/v1/orders", ("market", "KRW-BTC"), ("side", "bid"), ("price", "10000"), ("ord_type", "price"));
        var unauthorized = await SendAsync(ex, "GET", "/v1/accounts", null, null);
        var markets = await SendAsync(ex, "GET", "/v1/market/all", null, null);

        Assert.Equal("application/json; charset=utf-8", accounts.ContentType);
        Assert.Equal("group=default; min=1800; sec=29", accounts.RemainingReq);
        Assert.Equal("group=order; min=1800; sec=11", order.RemainingReq);
        Assert.StartsWith("group=default; min=1800; sec=", unauthorized.RemainingReq);
        Assert.Equal(("group=market; min=1800; sec=9", 8), (markets.RemainingReq, markets.Json().GetArrayLength()));
        Assert.Equal("KRW-BTC", markets.Json()[0].GetProperty("market").GetString());
        Assert.Equal(("/v1/market/all", 200), (Assert.Single(ex.PublicRequests).Path, ex.PublicRequests[0].StatusCode));
    }

    [Fact]
    public async Task UnknownPathIs404BeforeTheTokenIsLookedAt()
    {
        await using var ex = await TestExchange.StartAsync();
        var jwt = HandMadeJwt.ForRequest(TestExchange.AccessKey, TestExchange.Secret, null);

        var unknown = await SendAsync(ex, "GET", "/v1/orders", null, jwt); // retired by Upbit in 2024
        var real = await SendAsync(ex, "GET", "/v1/accounts", null, jwt);

        Assert.Equal((HttpStatusCode.NotFound, UpbitErrorNames.NotFound), (unknown.Status, unknown.ErrorName));
        Assert.Equal(HttpStatusCode.OK, real.Status); // the 404 did not use up the nonce
    }

    [Fact]
    public async Task StandInListensOnLoopbackOnly() =>
        await Assert.ThrowsAsync<ArgumentException>(() => StandInExchange.StartAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Any, 0)));
}
