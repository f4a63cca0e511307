using System.Text.Json.Nodes;
using Appliance.Devices.Tokens;
using Appliance.Policy;
using Appliance.Provisioning;
using Appliance.Token;

namespace Appliance.Tests.Policy;

/// <summary>appliance.json's signed keys: projected, signed, and judged as narrowed or widened.</summary>
public sealed class SignedConfigTests : IDisposable
{
    private readonly SoftwareToken _token = SoftwareToken.Create();

    public void Dispose() => _token.Dispose();

    private SignedConfigFile Sign(string appliance)
    {
        var keys = SignedConfigKeys.Project(JsonNode.Parse(appliance));
        var entry = PolicySigning.ConfigEntry(keys, 1);
        return new SignedConfigFile { Keys = keys, Policy = PolicySigning.Sign(new TokenPolicySigner(_token), [entry], DateTimeOffset.UtcNow)[entry.Key] };
    }

    private PolicyVerdict Judge(SignedConfigFile? signed, string appliance) =>
        SignedConfigFile.Verify(signed, SignedConfigKeys.Project(JsonNode.Parse(appliance)), _token.GetPublicKey(KeySlot.Policy), 0);

    private const string Signed = """{"listen":["0.0.0.0:50051"],"approval":{"timeout_seconds":60,"order_notional_above":1000000,"cancel_all":false},"upbit_url":"https://api.upbit.com"}""";

    [Fact]
    public void The_projection_holds_only_the_signed_keys_present()
    {
        var keys = SignedConfigKeys.Project(JsonNode.Parse(Signed));
        Assert.Equal(["approval.order_notional_above", "approval.cancel_all", "upbit_url"], keys.Select(k => k.Key));
    }

    [Theory]
    [InlineData("""{"listen":["127.0.0.1:1"],"approval":{"timeout_seconds":30,"order_notional_above":1000000,"cancel_all":false},"upbit_url":"https://api.upbit.com"}""")]
    [InlineData("""{"approval":{"order_notional_above":500000,"cancel_all":true,"deposit_krw":true},"upbit_url":"https://api.upbit.com"}""")]
    [InlineData("""{"approval":{"order_notional_above":1000000,"two_step":{"BTC":0.5}},"upbit_url":"https://api.upbit.com"}""")]
    public void Changes_outside_the_signed_keys_or_that_add_approvals_need_no_signature(string now)
    {
        var verdict = Judge(Sign(Signed), now);
        Assert.True(verdict.Ok, verdict.Problem);
    }

    [Theory]
    [InlineData("""{"approval":{"order_notional_above":2000000},"upbit_url":"https://api.upbit.com"}""", "approval.order_notional_above")]
    [InlineData("""{"approval":{},"upbit_url":"https://api.upbit.com"}""", "approval.order_notional_above")]
    [InlineData("""{"approval":{"order_notional_above":1000000,"deposit_krw":false},"upbit_url":"https://api.upbit.com"}""", "approval.deposit_krw")]
    [InlineData("""{"approval":{"order_notional_above":1000000},"upbit_url":"https://upbit.example"}""", "upbit_url")]
    [InlineData("""{"approval":{"order_notional_above":1000000},"upbit_url":"https://api.upbit.com","cooling_off":"1m"}""", "cooling_off")]
    public void A_widening_change_is_refused_naming_the_key(string now, string key)
    {
        var verdict = Judge(Sign(Signed), now);
        Assert.False(verdict.Ok);
        Assert.Contains(key, verdict.Problem);
    }

    [Theory]
    [InlineData("""{"approval":{"two_step":{"BTC":1}}}""", false)]
    [InlineData("""{"approval":{}}""", false)]
    [InlineData("""{"approval":{"two_step":{"KRW":5000000}}}""", false)]
    [InlineData("""{"approval":{"two_step":{"BTC":0.1,"KRW":5000000}}}""", true)]
    public void Raising_or_dropping_a_two_step_threshold_needs_the_token(string now, bool ok)
    {
        var verdict = Judge(Sign("""{"approval":{"two_step":{"BTC":0.5}}}"""), now);
        Assert.Equal(ok, verdict.Ok);
        if (!ok) Assert.Contains("approval.two_step", verdict.Problem);
    }

    [Fact]
    public void No_signed_config_is_unsigned_and_a_tampered_one_does_not_verify()
    {
        Assert.True(Judge(null, Signed).Unsigned);
        var signed = Sign(Signed);
        var tampered = signed with { Keys = SignedConfigKeys.Project(JsonNode.Parse("""{"upbit_url":"https://upbit.example"}""")) };
        Assert.Contains("changed after it was signed", Judge(tampered, """{"upbit_url":"https://upbit.example"}""").Problem);
    }
}
