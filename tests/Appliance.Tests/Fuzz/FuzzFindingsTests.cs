using Appliance.Config;
using Appliance.Policy;

namespace Appliance.Tests.Fuzz;

/// <summary>What the fuzzer found in the file parsers (docs/fuzzing.md), each refused now with the appliance's own message.</summary>
public sealed class FuzzFindingsTests
{
    [Fact]
    public void A_config_key_given_twice_is_refused_by_name()
    {
        var e = Assert.Throws<InvalidDataException>(() => ApplianceConfig.Parse("""{"jwt_alg":"HS512","jwt_alg":"HS256"}""", "appliance.json"));
        Assert.Contains("appliance.json", e.Message);
        Assert.Contains("jwt_alg", e.Message);
    }

    [Fact]
    public void A_null_listen_is_refused_naming_the_key()
    {
        Assert.Contains("listen", Assert.Throws<InvalidDataException>(() => ApplianceConfig.Parse("""{"listen":null}""", "appliance.json")).Message);
        Assert.Contains("listen", Assert.Throws<ArgumentException>(() => ApplianceConfig.Parse("""{"listen":[null]}""", "appliance.json")).Message);
    }

    [Theory]
    [InlineData("""{"name":"b","thumbprint":"00","credential":"main","scopes":null,"allow_ip":[]}""", "scopes")]
    [InlineData("""{"name":"b","thumbprint":"00","credential":"main","scopes":[],"allow_ip":[null]}""", "allow_ip")]
    [InlineData("""{"name":"b","thumbprint":"00","credential":"main","scopes":[],"allow_ip":[],"withdraw_addresses":[{"net_type":"BTC","address":"a"}]}""", "currency")]
    [InlineData("""{"name":"b","thumbprint":"00","credential":"main","scopes":[],"allow_ip":[],"revoked":"2026-01-01T00:00:00+00:00","revoked":null}""", "revoked")]
    public void A_bot_profile_with_a_null_a_missing_field_or_a_key_twice_is_refused(string json, string named)
    {
        var e = Assert.Throws<InvalidDataException>(() => BotStore.ParseProfile(json, "bots/b.json"));
        Assert.Contains("bots/b.json", e.Message);
        Assert.Contains(named, e.Message);
    }
}
