using Appliance.Upbit;

namespace Appliance.Tests.Upbit;

public class EndpointCatalogTests
{
    private static Endpoint Find(string method, string path)
    {
        Assert.True(EndpointCatalog.Default.TryFind(method, path, out var endpoint), $"{method} {path} missing");
        return endpoint;
    }

    [Theory]
    [InlineData("GET", "/v1/accounts", Scope.ViewAssets, RateGroup.Default)]
    [InlineData("GET", "/v1/orders/chance", Scope.ViewOrders, RateGroup.Default)]
    [InlineData("POST", "/v1/orders", Scope.Trade, RateGroup.Order)]
    [InlineData("POST", "/v1/orders/test", Scope.TradeTest, RateGroup.OrderTest)]
    [InlineData("DELETE", "/v1/orders/open", Scope.Trade, RateGroup.OrderCancelAll)]
    [InlineData("POST", "/v1/orders/cancel_and_new", Scope.Trade, RateGroup.Order)]
    [InlineData("DELETE", "/v1/orders/uuids", Scope.Trade, RateGroup.Default)]
    [InlineData("GET", "/v1/withdraws/coin_addresses", Scope.ViewWithdrawals, RateGroup.Default)]
    [InlineData("DELETE", "/v1/withdraws/coin", Scope.Withdraw, RateGroup.Default)]
    [InlineData("GET", "/v1/travel_rule/vasps", Scope.ViewDeposits, RateGroup.Default)]
    [InlineData("POST", "/v1/deposits/generate_coin_address", Scope.Deposit, RateGroup.Default)]
    [InlineData("POST", "/v1/travel_rule/deposit/uuid", Scope.Deposit, RateGroup.Default)]
    [InlineData("GET", "/v1/status/wallet", Scope.AuthOnly, RateGroup.Default)]
    [InlineData("GET", "/v1/api_keys", Scope.AuthOnly, RateGroup.Default)]
    [InlineData("GET", "/v1/pockets", Scope.PocketManage, RateGroup.Default)]
    [InlineData("GET", "/v1/pockets/api_keys", Scope.PocketManage, RateGroup.Default)]
    [InlineData("GET", "/v1/pockets/assets", Scope.PocketManage, RateGroup.Default)]
    [InlineData("POST", "/v1/pockets/universal_transfers", Scope.PocketManage, RateGroup.Default)]
    [InlineData("GET", "/v1/pockets/universal_transfers", Scope.PocketManage, RateGroup.Default)]
    [InlineData("POST", "/v1/pockets/transfers", Scope.AssetTransfer, RateGroup.Default)]
    [InlineData("GET", "/v1/pockets/transfers", Scope.AssetTransfer, RateGroup.Default)]
    public void EndpointHasScopeAndRateGroup(string method, string path, Scope scope, RateGroup group)
    {
        var endpoint = Find(method, path);
        Assert.Equal(scope, endpoint.Scope);
        Assert.Equal(group, endpoint.RateGroup);
    }

    [Fact]
    public void OnlyCoinAndKrwWithdrawalsAreWithdrawals()
    {
        var withdrawals = EndpointCatalog.Default.All.Where(e => e.IsWithdrawal).Select(e => e.ToString()).Order();
        Assert.Equal(["POST /v1/withdraws/coin", "POST /v1/withdraws/krw"], withdrawals);
        Assert.False(Find("DELETE", "/v1/withdraws/coin").IsWithdrawal);
    }

    [Fact]
    public void Withdrawals_and_the_two_pocket_transfers_move_assets()
    {
        var moving = EndpointCatalog.Default.All.Where(e => e.MovesAssets).Select(e => e.ToString()).Order();
        Assert.Equal(["POST /v1/pockets/transfers", "POST /v1/pockets/universal_transfers", "POST /v1/withdraws/coin", "POST /v1/withdraws/krw"], moving);
        Assert.False(Find("POST", "/v1/pockets/transfers").IsWithdrawal);
        Assert.False(Find("GET", "/v1/pockets/transfers").MovesAssets);
        Assert.False(Find("POST", "/v1/deposits/krw").MovesAssets);
    }

    [Fact]
    public void Catalog_names_the_Upbit_reference_version_it_follows() => Assert.Equal("1.7.0", EndpointCatalog.UpbitApiVersion);

    [Fact]
    public void BodyKindFollowsTheMethod()
    {
        foreach (var e in EndpointCatalog.Default.All)
            Assert.Equal(e.Method == "POST" ? BodyKind.Json : BodyKind.Query, e.BodyKind);
    }

    [Fact]
    public void CatalogCoversTheDocumentedEndpointsOfV170()
    {
        string[] expected =
        [
            "GET /v1/accounts",
            "GET /v1/orders/chance", "GET /v1/order", "GET /v1/orders/uuids", "GET /v1/orders/open", "GET /v1/orders/closed",
            "POST /v1/orders", "POST /v1/orders/test", "DELETE /v1/order", "DELETE /v1/orders/uuids",
            "DELETE /v1/orders/open", "POST /v1/orders/cancel_and_new",
            "GET /v1/withdraws", "GET /v1/withdraw", "GET /v1/withdraws/chance", "GET /v1/withdraws/coin_addresses",
            "POST /v1/withdraws/coin", "DELETE /v1/withdraws/coin", "POST /v1/withdraws/krw",
            "GET /v1/deposits", "GET /v1/deposit", "GET /v1/deposits/chance/coin", "GET /v1/deposits/coin_addresses",
            "GET /v1/deposits/coin_address", "GET /v1/travel_rule/vasps",
            "POST /v1/deposits/generate_coin_address", "POST /v1/deposits/krw",
            "POST /v1/travel_rule/deposit/uuid", "POST /v1/travel_rule/deposit/txid",
            "GET /v1/status/wallet", "GET /v1/api_keys",
            "GET /v1/pockets", "GET /v1/pockets/api_keys", "GET /v1/pockets/assets",
            "POST /v1/pockets/universal_transfers", "GET /v1/pockets/universal_transfers",
            "POST /v1/pockets/transfers", "GET /v1/pockets/transfers",
        ];
        Assert.Equal(expected.Order(), EndpointCatalog.Default.All.Select(e => e.ToString()).Order());
        // The diagram's /v1/pockets/asset is not the reference's path.
        Assert.False(EndpointCatalog.Default.TryFind("GET", "/v1/pockets/asset", out _));
    }

    [Fact]
    public void ArrayParamsHaveTheirMaxCounts()
    {
        Assert.True(Find("DELETE", "/v1/orders/uuids").TryGetParam("uuids[]", out var uuids));
        Assert.Equal((ParamKind.Array, 20), (uuids.Kind, uuids.MaxCount));
        Assert.True(Find("DELETE", "/v1/orders/uuids").TryGetParam("identifiers[]", out var ids));
        Assert.Equal(20, ids.MaxCount);
        Assert.True(Find("DELETE", "/v1/orders/open").TryGetParam("pairs", out var pairs));
        Assert.Equal(ParamKind.CommaList, pairs.Kind);
    }

    [Theory]
    [InlineData("get", "/v1/accounts", true)]
    [InlineData("gEt", "/v1/accounts", true)]
    [InlineData("GET", "/v1/accounts/", false)]
    [InlineData("GET", "/v1/Accounts", false)]
    [InlineData("GET", " /v1/accounts", false)]
    [InlineData(null, "/v1/accounts", false)]
    [InlineData("GET", null, false)]
    public void TryFindMatchesMethodCaseInsensitivelyAndPathExactly(string? method, string? path, bool found) =>
        Assert.Equal(found, EndpointCatalog.Default.TryFind(method, path, out _));

    [Fact]
    public void DuplicateEndpointsAreRejected()
    {
        var e = new Endpoint("GET", "/v1/x", Scope.ViewAssets, []);
        Assert.Throws<ArgumentException>(() => new EndpointCatalog([e, new Endpoint("GET", "/v1/x", Scope.ViewOrders, [])]));
    }

    [Fact]
    public void MalformedSchemasAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new Endpoint("PUT", "/v1/x", Scope.Trade, []));
        Assert.Throws<ArgumentException>(() => new Endpoint("GET", "/x", Scope.Trade, []));
        Assert.Throws<ArgumentException>(() => new Endpoint("POST", "/v1/x", Scope.Trade, [new ParamSpec("ids[]", kind: ParamKind.Array, maxCount: 5)]));
        Assert.Throws<ArgumentException>(() => new Endpoint("GET", "/v1/x", Scope.Trade, [new ParamSpec("a"), new ParamSpec("a")]));
        Assert.Throws<ArgumentException>(() => new Endpoint("GET", "/v1/x", Scope.Trade, [new ParamSpec("a")], groups: [ParamGroup.ExactlyOne("a", "b")]));
        Assert.Throws<ArgumentException>(() => new ParamSpec("ids[]"));
        Assert.Throws<ArgumentException>(() => new ParamSpec("ids", kind: ParamKind.Array));
        Assert.Throws<ArgumentException>(() => new ParamSpec("Bad"));
        Assert.Throws<ArgumentException>(() => new ParamSpec("side", format: ValueFormat.OneOf));
    }
}
