using System.Text.Json.Nodes;
using Appliance.Policy;

namespace Appliance.Tests.Policy;

/// <summary>Which changes narrow, member by member (null: the member is absent, i.e. at its default).</summary>
public sealed class NarrowingRulesTests
{
    private static JsonNode? J(string? json) => json is null ? null : JsonNode.Parse(json);

    [Theory]
    // caps: absent = no cap
    [InlineData("cap", "5", "10", true)]
    [InlineData("cap", "10", "10", true)]
    [InlineData("cap", "11", "10", false)]
    [InlineData("cap", null, "10", false)]
    [InlineData("cap", "10", null, true)]
    // lists that may only lose items
    [InlineData("subset", "[\"a\"]", "[\"a\",\"b\"]", true)]
    [InlineData("subset", null, "[\"a\"]", true)]
    [InlineData("subset", "[\"c\"]", "[\"a\"]", false)]
    // markets: absent = any
    [InlineData("any", "[\"KRW-BTC\"]", null, true)]
    [InlineData("any", null, "[\"KRW-BTC\"]", false)]
    [InlineData("any", "[\"KRW-ETH\"]", "[\"KRW-BTC\"]", false)]
    // revoked may only be added
    [InlineData("added", "\"2026-01-01T00:00:00+00:00\"", null, true)]
    [InlineData("added", null, "\"2026-01-01T00:00:00+00:00\"", false)]
    // switches
    [InlineData("off", null, "true", true)]
    [InlineData("off", "true", null, false)]
    [InlineData("on", "true", null, true)]
    [InlineData("on", null, "true", false)]
    [InlineData("default-on", null, "false", true)]
    [InlineData("default-on", "false", null, false)]
    // a sooner certificate end
    [InlineData("not-later", "\"2026-01-01T00:00:00+00:00\"", "\"2027-01-01T00:00:00+00:00\"", true)]
    [InlineData("not-later", "\"2028-01-01T00:00:00+00:00\"", "\"2027-01-01T00:00:00+00:00\"", false)]
    // withdrawal caps by currency
    [InlineData("caps", "[{\"currency\":\"BTC\",\"per_withdrawal\":0.1,\"per_24h\":0.5}]", "[{\"currency\":\"BTC\",\"per_withdrawal\":0.2,\"per_24h\":0.5}]", true)]
    [InlineData("caps", "[{\"currency\":\"BTC\",\"per_withdrawal\":0.3}]", "[{\"currency\":\"BTC\",\"per_withdrawal\":0.2,\"per_24h\":0.5}]", false)]
    [InlineData("caps", null, "[{\"currency\":\"BTC\",\"per_withdrawal\":0.2}]", false)]
    [InlineData("caps", "[{\"currency\":\"ETH\",\"per_24h\":1}]", null, true)]
    [InlineData("caps", "[{\"currency\":\"BTC\",\"per_24h\":1},{\"currency\":\"btc\",\"per_24h\":9}]", "[{\"currency\":\"BTC\",\"per_24h\":1}]", false)]
    // two-step thresholds by currency: lower or added narrows
    [InlineData("two-step", "{\"BTC\":0.5}", null, true)]
    [InlineData("two-step", "{\"BTC\":0.5,\"KRW\":1000000}", "{\"BTC\":0.5}", true)]
    [InlineData("two-step", "{\"BTC\":0.1}", "{\"BTC\":0.5}", true)]
    [InlineData("two-step", "{\"BTC\":0.6}", "{\"BTC\":0.5}", false)]
    [InlineData("two-step", "{\"KRW\":1}", "{\"BTC\":0.5}", false)]
    [InlineData("two-step", null, "{\"BTC\":0.5}", false)]
    [InlineData("two-step", "[0.5]", null, false)]
    public void Rule_says_whether_the_change_narrows(string rule, string? effective, string? signed, bool narrows)
    {
        NarrowingRule r = rule switch
        {
            "cap" => NarrowingRules.CapAtMost,
            "subset" => NarrowingRules.Subset,
            "any" => NarrowingRules.AnyOrSubset,
            "added" => NarrowingRules.MayOnlyBeAdded,
            "off" => NarrowingRules.MayOnlyTurnOff,
            "on" => NarrowingRules.MayOnlyTurnOn,
            "default-on" => NarrowingRules.DefaultOnMayOnlyTurnOn,
            "not-later" => NarrowingRules.NotLater,
            "two-step" => NarrowingRules.ThresholdsAtMost,
            _ => NarrowingRules.WithdrawCaps,
        };
        Assert.Equal(narrows, r(J(effective), J(signed)));
    }

    [Fact]
    public void A_member_without_a_rule_must_stay_as_signed()
    {
        var signed = new JsonObject { ["name"] = "a", ["credential"] = "main" };
        Assert.Empty(BotNarrowing.Widened(new JsonObject { ["name"] = "a", ["credential"] = "main" }, signed, BotNarrowing.Rules));
        Assert.Equal(["credential"], BotNarrowing.Widened(new JsonObject { ["name"] = "a", ["credential"] = "other" }, signed, BotNarrowing.Rules));
        Assert.Equal(["thumbprint"], BotNarrowing.Widened(new JsonObject { ["name"] = "a", ["credential"] = "main", ["thumbprint"] = "ab" }, signed, BotNarrowing.Rules));
    }

    [Fact]
    public void A_bot_may_be_slowed_without_the_token_but_not_sped_up()
    {
        var signed = new JsonObject { ["name"] = "a", ["rate_per_second"] = 10, ["burst"] = 20 };
        Assert.Empty(BotNarrowing.Widened(new JsonObject { ["name"] = "a", ["rate_per_second"] = 2.5, ["burst"] = 5 }, signed, BotNarrowing.Rules));
        Assert.Equal(["rate_per_second"], BotNarrowing.Widened(new JsonObject { ["name"] = "a", ["rate_per_second"] = 11, ["burst"] = 20 }, signed, BotNarrowing.Rules));
        Assert.Equal(["burst"], BotNarrowing.Widened(new JsonObject { ["name"] = "a", ["rate_per_second"] = 10, ["burst"] = 21 }, signed, BotNarrowing.Rules));
    }
}
