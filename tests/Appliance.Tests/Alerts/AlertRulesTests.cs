using System.Net;
using Appliance.Alerts;
using Appliance.Common;
using Appliance.Sealing;
using Appliance.Pipeline;
using Appliance.Upbit;

namespace Appliance.Tests.Alerts;

/// <summary>Each rule fires on its pattern, once, and stays quiet on normal traffic.</summary>
public sealed class AlertRulesTests
{
    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private readonly ManualTime _time = new();
    private readonly AlertRules _rules;

    public AlertRulesTests() => _rules = new AlertRules(new AlertOptions { NotionalFactor = 5, NotionalMinOrders = 10, BurstCount = 5, BurstWindowSeconds = 60 }, _time);

    private static SignDecision D(string method, string path, Outcome outcome = Outcome.Signed, string? reason = null, string bot = "bot-a", params string[] pairs) =>
        new("id", DateTimeOffset.UnixEpoch, outcome, reason, bot, IPAddress.Loopback.ToString(), "main", method, path,
            pairs.Select(p => p.Split('=', 2)).Select(p => new UpbitParam(p[0], p[1])).ToList(), "none", null, null)
        {
            Endpoint = EndpointCatalog.Default.TryFind(method, path, out var endpoint) ? endpoint : null,
        };

    private static SignDecision Order(decimal price, decimal volume, string bot = "bot-a") =>
        D("POST", "/v1/orders", bot: bot, pairs: ["market=KRW-BTC", "side=bid", $"volume={volume}", $"price={price}", "ord_type=limit"]);

    [Fact]
    public void Every_withdrawal_request_alerts_whatever_its_outcome()
    {
        var signed = Assert.Single(_rules.Observe(D("POST", "/v1/withdraws/coin", pairs: ["currency=BTC", "net_type=BTC", "amount=0.1", "address=bc1qxyz"])));
        Assert.Equal(AlertRuleNames.Withdrawal, signed.Rule);
        Assert.Contains("address=bc1qxyz", signed.Message);
        var denied = Assert.Single(_rules.Observe(D("POST", "/v1/withdraws/krw", Outcome.Denied, Reasons.ScopeDenied, pairs: ["amount=10000"])));
        Assert.Contains("denied SCOPE_DENIED", denied.Message);
        Assert.Empty(_rules.Observe(D("GET", "/v1/withdraws")));
        Assert.Empty(_rules.Observe(D("GET", "/v1/accounts")));
    }

    [Fact]
    public void An_order_far_above_the_bots_median_alerts_and_normal_orders_do_not()
    {
        for (var i = 0; i < 10; i++) Assert.Empty(_rules.Observe(Order(100_000_000m, 0.001m + i * 0.0001m)));
        // Notionals 100 000 … 190 000: median 145 000, so the line is at 725 000.
        Assert.Empty(_rules.Observe(Order(100_000_000m, 0.004m)));
        var alert = Assert.Single(_rules.Observe(Order(100_000_000m, 0.01m)));
        Assert.Equal(AlertRuleNames.LargeOrder, alert.Rule);
        Assert.Equal("bot-a", alert.Bot);
        // Another bot has its own median: its first big order is not judged yet.
        Assert.Empty(_rules.Observe(Order(100_000_000m, 1m, bot: "bot-b")));
    }

    [Fact]
    public void The_large_order_rule_waits_for_enough_history()
    {
        for (var i = 0; i < 9; i++) _rules.Observe(Order(1000m, 1m));
        Assert.Empty(_rules.Observe(Order(1000m, 100m)));
    }

    [Fact]
    public void A_burst_of_authentication_failures_alerts_once_per_window()
    {
        for (var i = 0; i < 4; i++) Assert.Empty(_rules.Observe(D("GET", "/v1/accounts", Outcome.Denied, Reasons.UnknownBot, bot: "-")));
        var alert = Assert.Single(_rules.Observe(D("GET", "/v1/accounts", Outcome.Denied, Reasons.IpNotAllowed)));
        Assert.Equal(AlertRuleNames.AuthFailures, alert.Rule);
        Assert.Empty(_rules.Observe(D("GET", "/v1/accounts", Outcome.Denied, Reasons.UnknownBot, bot: "-")));

        _time.Now += TimeSpan.FromMinutes(2);
        for (var i = 0; i < 4; i++) Assert.Empty(_rules.Observe(D("GET", "/v1/accounts", Outcome.Denied, Reasons.UnknownBot, bot: "-")));
        Assert.Single(_rules.Observe(D("GET", "/v1/accounts", Outcome.Denied, Reasons.UnknownBot, bot: "-")));
    }

    [Fact]
    public void Failures_spread_wider_than_the_window_are_not_a_burst()
    {
        for (var i = 0; i < 20; i++)
        {
            Assert.Empty(_rules.Observe(D("GET", "/v1/accounts", Outcome.Denied, Reasons.UnknownBot, bot: "-")));
            _time.Now += TimeSpan.FromSeconds(20);
        }
    }

    [Fact]
    public void A_burst_of_one_bots_denials_alerts_and_names_the_bot()
    {
        for (var i = 0; i < 4; i++) _rules.Observe(D("GET", "/v1/orders/chance", Outcome.Denied, Reasons.MarketDenied, pairs: ["market=KRW-DOGE"]));
        Assert.Empty(_rules.Observe(D("GET", "/v1/orders/chance", Outcome.Denied, Reasons.MarketDenied, bot: "bot-b")));
        var alert = Assert.Single(_rules.Observe(D("GET", "/v1/orders/chance", Outcome.Denied, Reasons.MarketDenied)));
        Assert.Equal(AlertRuleNames.Denials, alert.Rule);
        Assert.Equal("bot-a", alert.Bot);
        // Signed traffic never counts.
        for (var i = 0; i < 50; i++) Assert.Empty(_rules.Observe(D("GET", "/v1/accounts", bot: "bot-c")));
    }

    private CredentialMetadata Credential(string name, int ageDays, int expiresInDays) =>
        new(name, "ak-" + name, ApprovalMode.None, ["trade"], _time.Now.AddDays(-ageDays), _time.Now.AddDays(expiresInDays));

    [Fact]
    public void New_bots_and_credentials_alert_after_the_first_look()
    {
        Assert.Empty(_rules.ObserveInventory(["bot-a"], [Credential("main", 1, 300)]));
        Assert.Empty(_rules.ObserveInventory(["bot-a"], [Credential("main", 1, 300)]));
        var alerts = _rules.ObserveInventory(["bot-a", "bot-new"], [Credential("main", 1, 300), Credential("spare", 0, 300)]);
        Assert.Equal([AlertRuleNames.NewBot, AlertRuleNames.NewCredential], alerts.Select(a => a.Rule));
        Assert.Equal("bot-new", alerts[0].Bot);
        Assert.Equal("spare", alerts[1].Credential);
    }

    [Fact]
    public void A_credential_near_expiry_or_too_old_alerts_once()
    {
        var alerts = _rules.ObserveInventory([], [Credential("soon", 10, 5), Credential("old", 100, 200), Credential("fine", 10, 200)]);
        Assert.Equal(2, alerts.Count);
        Assert.Contains(alerts, a => a.Rule == AlertRuleNames.CredentialExpiry && a.Credential == "soon");
        Assert.Contains(alerts, a => a.Rule == AlertRuleNames.CredentialAge && a.Credential == "old");
        Assert.Empty(_rules.ObserveInventory([], [Credential("soon", 10, 5), Credential("old", 100, 200)]));
    }

    [Fact]
    public void Removing_the_token_alerts_on_each_removal()
    {
        Assert.Null(_rules.ObserveToken(true));
        Assert.Equal(AlertRuleNames.TokenRemoved, _rules.ObserveToken(false)?.Rule);
        Assert.Null(_rules.ObserveToken(false));
        Assert.Null(_rules.ObserveToken(true));
        Assert.NotNull(_rules.ObserveToken(false));
    }

    [Theory]
    [InlineData("ftp://192.168.1.2/x")]
    [InlineData("not a url")]
    public void A_webhook_that_is_not_http_is_refused(string url) =>
        Assert.Throws<ArgumentException>(() => new AlertOptions { Webhook = url }.Validate());

    [Fact]
    public void Bad_thresholds_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new AlertOptions { NotionalFactor = 1 }.Validate());
        Assert.Throws<ArgumentException>(() => new AlertOptions { BurstCount = 1 }.Validate());
        new AlertOptions { Webhook = "http://192.168.1.20:8080/alerts" }.Validate();
    }
}
