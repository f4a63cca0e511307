using Appliance.Upbit;

namespace Appliance.Tests.Upbit;

public class ScopeTests
{
    [Theory]
    [InlineData("view-assets", Scope.ViewAssets)]
    [InlineData("view-orders", Scope.ViewOrders)]
    [InlineData("trade", Scope.Trade)]
    [InlineData("trade-test", Scope.TradeTest)]
    [InlineData("view-withdrawals", Scope.ViewWithdrawals)]
    [InlineData("withdraw", Scope.Withdraw)]
    [InlineData("view-deposits", Scope.ViewDeposits)]
    [InlineData("deposit", Scope.Deposit)]
    [InlineData("pocket-manage", Scope.PocketManage)]
    [InlineData("asset-transfer", Scope.AssetTransfer)]
    [InlineData("auth-only", Scope.AuthOnly)]
    public void ParsesAndRoundTrips(string wire, Scope scope)
    {
        Assert.Equal(scope, Scopes.Parse(wire));
        Assert.Equal(wire, Scopes.ToWire(scope));
    }

    [Fact]
    public void EveryScopeHasAWireName()
    {
        foreach (var scope in Enum.GetValues<Scope>())
            Assert.Equal(scope, Scopes.Parse(Scopes.ToWire(scope)));
    }

    [Theory]
    [InlineData("Trade")]
    [InlineData("trading")]
    [InlineData(" trade")]
    [InlineData("")]
    public void UnknownScopeNamesTheValidList(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => Scopes.Parse(text));
        Assert.Contains("view-assets, view-orders, trade, trade-test", error.Message);
    }

    [Theory]
    [InlineData(new[] { Scope.Trade }, Scope.TradeTest, true)]
    [InlineData(new[] { Scope.TradeTest }, Scope.TradeTest, true)]
    [InlineData(new[] { Scope.TradeTest }, Scope.Trade, false)]
    [InlineData(new Scope[0], Scope.AuthOnly, true)]
    [InlineData(new[] { Scope.ViewAssets }, Scope.ViewOrders, false)]
    [InlineData(new[] { Scope.ViewWithdrawals }, Scope.Withdraw, false)]
    [InlineData(new[] { Scope.Withdraw }, Scope.Withdraw, true)]
    [InlineData(new[] { Scope.PocketManage }, Scope.AssetTransfer, false)]
    [InlineData(new[] { Scope.AssetTransfer }, Scope.PocketManage, false)]
    public void PermitsFollowsUpbitGroups(Scope[] granted, Scope required, bool permitted) =>
        Assert.Equal(permitted, Scopes.Permits(granted.Select(Scopes.ToWire).ToArray(), required));

    [Fact]
    public void RateGroupWireNames() =>
        Assert.Equal(["default", "order", "order-test", "order-cancel-all"],
            Enum.GetValues<RateGroup>().Select(RateGroups.ToWire));
}
