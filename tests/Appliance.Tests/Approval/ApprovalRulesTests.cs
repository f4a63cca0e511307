using System.Text.Json;
using Appliance.Approval;
using Appliance.Config;
using Appliance.Tests.Support;
using Appliance.Upbit;

namespace Appliance.Tests.Approval;

/// <summary>Which requests wait for approval, and the "approval" section of appliance.json.</summary>
public sealed class ApprovalRulesTests
{
    private static bool Requires(ApprovalOptions options, string method, string path, params string[] pairs)
    {
        var parameters = pairs.Select(p => p.Split('=', 2)).Select(p => new UpbitParam(p[0], p[1])).ToList();
        return ApprovalTiers.Requires(options, RequestValidator.Validate(method, path, parameters), parameters);
    }

    private static readonly ApprovalOptions Defaults = new();
    private static readonly ApprovalOptions Tiers = new() { OrderNotionalAbove = 1_000_000m, CancelAll = true };

    [Fact]
    public void Every_withdrawal_waits_and_no_order_by_default()
    {
        Assert.True(Requires(Defaults, "POST", "/v1/withdraws/coin", "currency=BTC", "net_type=BTC", "amount=0.00000001", "address=x"));
        Assert.True(Requires(Defaults, "POST", "/v1/withdraws/krw", "amount=5000", "two_factor_type=kakao"));
        Assert.False(Requires(Defaults, "DELETE", "/v1/withdraws/coin", "uuid=11111111-1111-4111-8111-111111111111"));
        Assert.False(Requires(Defaults, "DELETE", "/v1/orders/open"));
        Assert.False(Requires(Defaults, "POST", "/v1/orders", "market=KRW-BTC", "side=bid", "volume=100", "price=100000000", "ord_type=limit"));
        Assert.False(Requires(Defaults, "GET", "/v1/accounts"));
    }

    [Fact]
    public void Pocket_transfers_always_wait_and_krw_deposits_and_travel_rule_checks_wait_by_default()
    {
        var noDefaults = new ApprovalOptions { DepositKrw = false, TravelRule = false };
        foreach (var options in new[] { Defaults, noDefaults })
        {
            Assert.True(Requires(options, "POST", "/v1/pockets/transfers", "to=main", "currency=KRW", "amount=1"));
            Assert.True(Requires(options, "POST", "/v1/pockets/universal_transfers", "to=sub", "currency=BTC", "amount=0.1"));
            Assert.False(Requires(options, "GET", "/v1/pockets/transfers"));
            Assert.False(Requires(options, "GET", "/v1/pockets/assets", "uuid=p"));
        }
        Assert.True(Requires(Defaults, "POST", "/v1/deposits/krw", "amount=10000", "two_factor_type=kakao"));
        Assert.True(Requires(Defaults, "POST", "/v1/travel_rule/deposit/uuid", "deposit_uuid=d", "vasp_uuid=v"));
        Assert.True(Requires(Defaults, "POST", "/v1/travel_rule/deposit/txid", "vasp_uuid=v", "txid=t", "currency=BTC", "net_type=BTC"));
        Assert.False(Requires(Defaults, "GET", "/v1/travel_rule/vasps"));
        Assert.False(Requires(noDefaults, "POST", "/v1/deposits/krw", "amount=10000", "two_factor_type=kakao"));
        Assert.False(Requires(noDefaults, "POST", "/v1/travel_rule/deposit/uuid", "deposit_uuid=d", "vasp_uuid=v"));
    }

    [Fact]
    public void Without_a_panel_krw_deposits_and_transfers_are_refused_not_signed()
    {
        using var gate = new NoPanelApprovalGate(new Appliance.Credentials.LogTouchPrompt(Microsoft.Extensions.Logging.Abstractions.NullLogger<Appliance.Credentials.LogTouchPrompt>.Instance), TimeProvider.System);
        Assert.True(gate.Requires(EndpointCatalog.Default.All.Single(e => e.ToString() == "POST /v1/deposits/krw"), []));
        Assert.True(gate.Requires(EndpointCatalog.Default.All.Single(e => e.ToString() == "POST /v1/pockets/transfers"), []));
        Assert.False(gate.Requires(EndpointCatalog.Default.All.Single(e => e.ToString() == "GET /v1/accounts"), []));
    }

    [Fact]
    public void Configured_tiers_add_cancel_all_and_large_orders()
    {
        Assert.True(Requires(Tiers, "DELETE", "/v1/orders/open", "cancel_side=all"));
        Assert.False(Requires(Tiers, "DELETE", "/v1/order", "uuid=11111111-1111-4111-8111-111111111111"));
        Assert.True(Requires(Tiers, "POST", "/v1/orders", "market=KRW-BTC", "side=bid", "volume=0.02", "price=100000000", "ord_type=limit"));
        Assert.False(Requires(Tiers, "POST", "/v1/orders", "market=KRW-BTC", "side=bid", "volume=0.01", "price=100000000", "ord_type=limit")); // exactly at the line
        Assert.True(Requires(Tiers, "POST", "/v1/orders", "market=KRW-BTC", "side=bid", "price=2000000", "ord_type=price"));
        Assert.False(Requires(Tiers, "POST", "/v1/orders", "market=KRW-BTC", "side=bid", "price=500000", "ord_type=price"));
        // A market sell's notional is unknown until it fills: it waits (fail closed).
        Assert.True(Requires(Tiers, "POST", "/v1/orders", "market=KRW-BTC", "side=ask", "volume=0.0001", "ord_type=market"));
        // Test orders never reach the book.
        Assert.False(Requires(Tiers, "POST", "/v1/orders/test", "market=KRW-BTC", "side=bid", "volume=1", "price=100000000", "ord_type=limit"));
        Assert.True(Requires(Tiers, "POST", "/v1/orders/cancel_and_new", "prev_order_uuid=11111111-1111-4111-8111-111111111111",
            "new_ord_type=limit", "new_price=100000000", "new_volume=1"));
    }

    [Fact]
    public void Approval_section_round_trips_through_appliance_json()
    {
        using var dir = new TempDir();
        var path = dir.Sub("appliance.json");
        new ApplianceConfig { Approval = new ApprovalOptions { TimeoutSeconds = 45, OrderNotionalAbove = 5_000_000m, CancelAll = true } }.Save(path);

        var loaded = ApplianceConfig.Load(path);
        Assert.Equal(TimeSpan.FromSeconds(45), loaded.Approval.Timeout);
        Assert.Equal(5_000_000m, loaded.Approval.OrderNotionalAbove);
        Assert.True(loaded.Approval.CancelAll);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal(45, doc.RootElement.GetProperty("approval").GetProperty("timeout_seconds").GetDouble());
    }

    [Fact]
    public void Missing_approval_section_means_withdrawals_only_with_a_60_second_timeout()
    {
        using var dir = new TempDir();
        var path = dir.Sub("appliance.json");
        File.WriteAllText(path, """{"listen":["127.0.0.1:50051"]}""");
        var loaded = ApplianceConfig.Load(path);
        Assert.Equal(TimeSpan.FromSeconds(60), loaded.Approval.Timeout);
        Assert.Null(loaded.Approval.OrderNotionalAbove);
        Assert.False(loaded.Approval.CancelAll);
    }

    [Theory]
    [InlineData("""{"timeout_seconds":0}""", "timeout_seconds")]
    [InlineData("""{"timeout_seconds":601}""", "timeout_seconds")]
    [InlineData("""{"order_notional_above":-5}""", "order_notional_above")]
    [InlineData("""{"min_view_ms":-1}""", "min_view_ms")]
    [InlineData("""{"timeout_seconds":1,"min_view_ms":1000}""", "shorter than")]
    [InlineData("""{"cancel_al":true}""", "cancel_al")]
    public void Bad_approval_section_is_refused(string section, string message)
    {
        using var dir = new TempDir();
        var path = dir.Sub("appliance.json");
        File.WriteAllText(path, $$"""{"listen":["127.0.0.1:50051"],"approval":{{section}}}""");
        var e = Assert.ThrowsAny<Exception>(() => ApplianceConfig.Load(path));
        Assert.True(e is ArgumentException or InvalidDataException, e.GetType().Name);
        Assert.Contains(message, e.Message);
    }
}
