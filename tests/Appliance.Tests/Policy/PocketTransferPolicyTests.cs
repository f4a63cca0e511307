using Appliance.Common;
using Appliance.Policy;
using Appliance.Upbit;

namespace Appliance.Tests.Policy;

/// <summary>The destination-pocket allowlist of the two pocket transfers, judged by the Authorizer.</summary>
public sealed class PocketTransferPolicyTests
{
    private static readonly BotProfile Bot = new()
    {
        Name = "sweeper",
        Thumbprint = "00",
        Credential = "main",
        Scopes = ["pocket-manage", "asset-transfer"],
        AllowIps = ["127.0.0.0/8"],
        TransferPockets = ["main-pocket-uuid", "Sub_2.b"],
    };

    private static void Authorize(BotProfile bot, string method, string path, params string[] pairs)
    {
        var parameters = pairs.Select(p => p.Split('=', 2)).Select(p => new UpbitParam(p[0], p[1])).ToList();
        var endpoint = RequestValidator.Validate(method, path, parameters);
        Authorizer.Authorize(bot, endpoint, parameters, "main", ["pocket-manage", "asset-transfer"]);
    }

    [Theory]
    [InlineData("/v1/pockets/transfers")]
    [InlineData("/v1/pockets/universal_transfers")]
    public void A_listed_destination_passes_and_any_other_is_denied(string path)
    {
        Authorize(Bot, "POST", path, "to=main-pocket-uuid", "currency=KRW", "amount=10000");
        Authorize(Bot, "POST", path, "to=Sub_2.b", "currency=BTC", "amount=0.1");
        var refusal = Assert.Throws<SignRefusal>(() => Authorize(Bot, "POST", path, "to=sub_2.b", "currency=BTC", "amount=0.1"));
        Assert.Equal(Reasons.TransferPocketDenied, refusal.Reason);
        Assert.Equal(RefusalKind.PermissionDenied, refusal.Kind);
        Assert.Contains("'sub_2.b'", refusal.Message);
        Assert.Contains("--transfer-pocket", refusal.Message);
    }

    [Fact]
    public void A_bot_without_destination_pockets_may_not_transfer_at_all()
    {
        var refusal = Assert.Throws<SignRefusal>(() =>
            Authorize(Bot with { TransferPockets = [] }, "POST", "/v1/pockets/transfers", "to=main-pocket-uuid", "currency=KRW", "amount=1"));
        Assert.Equal(Reasons.TransferPocketDenied, refusal.Reason);
    }

    [Fact]
    public void Reading_transfers_needs_no_destination() =>
        Authorize(Bot with { TransferPockets = [] }, "GET", "/v1/pockets/transfers", "direction=out");

    [Fact]
    public void Scope_is_checked_before_the_pocket()
    {
        var refusal = Assert.Throws<SignRefusal>(() =>
            Authorize(Bot with { Scopes = ["asset-transfer"] }, "POST", "/v1/pockets/universal_transfers", "to=nowhere", "currency=KRW", "amount=1"));
        Assert.Equal(Reasons.ScopeDenied, refusal.Reason);
    }

    [Theory]
    [InlineData("11111111-1111-4111-8111-111111111111", true)]
    [InlineData("a.b_c-d", true)]
    [InlineData("", false)]
    [InlineData("a b", false)]
    [InlineData("a:b", false)]
    [InlineData("a&to=b", false)]
    public void Transfer_pocket_flag_takes_only_pocket_ids(string value, bool ok)
    {
        if (ok) Assert.Equal(value, PocketTransfers.Parse(value));
        else Assert.Contains("--transfer-pocket", Assert.Throws<ArgumentException>(() => PocketTransfers.Parse(value)).Message);
    }

    [Fact]
    public void Transfer_pockets_need_a_pocket_scope_and_no_repeats()
    {
        Assert.Contains("pocket-manage", Assert.Throws<ArgumentException>(() => PocketTransfers.Validate(["p"], ["trade"])).Message);
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => PocketTransfers.Validate(["p", "p"], ["asset-transfer"])).Message);
        PocketTransfers.Validate(["p"], ["asset-transfer"]);
    }
}
