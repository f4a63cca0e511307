using Appliance.Config;
using Appliance.Policy;
using Appliance.Provisioning;
using Appliance.Tests.Support;

namespace Appliance.Tests.Cli;

/// <summary>
/// <c>policy status|sign-all</c>, <c>serve</c> refusing unsigned records (the migration), <c>bots update|remove</c> and
/// <c>bots add --transfer-pocket</c>, run in-process on a demo data dir (its software token signs).
/// </summary>
public sealed class PolicyCommandTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly DataDir _data;

    public PolicyCommandTests()
    {
        _data = new DataDir(_dir.Sub("data"));
        DemoSetup.Ensure(_data, "127.0.0.1:0", TimeProvider.System, null);
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>Makes the data dir look like one from before signed policy: no seal anywhere.</summary>
    private void Unsign()
    {
        var bots = new BotStore(_data.Root);
        foreach (var bot in bots.LoadAll()) bots.Save(bot with { Policy = null });
        var credentials = new Appliance.Sealing.CredentialStore(_data.Root);
        foreach (var c in credentials.List()) credentials.Replace(c with { PolicyBlock = null });
        File.Delete(SignedConfigFile.PathIn(_data.Root));
    }

    [Fact]
    public async Task A_demo_data_dir_is_signed_throughout()
    {
        var (code, output, error) = await CliHarness.Run(null, "policy", "status", "--data-dir", _data.Root);
        Assert.True(code == 0, output + error);
        Assert.Contains("bot/demo-bot", output);
        Assert.Contains("credential/demo-withdraw", output);
        Assert.Contains("config/appliance", output);
        Assert.DoesNotContain("UNSIGNED", output);
    }

    [Fact]
    public async Task Serve_refuses_unsigned_records_until_sign_all_and_sign_all_signs_them_with_one_signature()
    {
        Unsign();
        var status = await CliHarness.Run(null, "policy", "status", "--data-dir", _data.Root);
        Assert.Equal(1, status.Code);
        Assert.Contains("UNSIGNED", status.Out);

        var serve = await CliHarness.Run(null, "serve", "--data-dir", _data.Root, "--panel", "none");
        Assert.Equal(1, serve.Code);
        Assert.Contains("policy record(s) are not signed yet", serve.Err);
        Assert.Contains($"appliance policy sign-all --data-dir {_data.Root}", serve.Err);

        var sign = await CliHarness.Run(null, "policy", "sign-all", "--data-dir", _data.Root);
        Assert.True(sign.Code == 0, sign.Out + sign.Err);
        Assert.Contains("signed bot/demo-bot version 1", sign.Out);
        Assert.Contains("(before: it is not signed", sign.Out);
        Assert.True(PolicyInventory.Check(_data).All(i => i.Verdict.Ok));
        // One signature for all: every record carries the same statement and signature.
        var bot = new BotStore(_data.Root).Load(DemoSetup.BotName).Policy!;
        var credential = PolicyGate.ReadSeal(new Appliance.Sealing.CredentialStore(_data.Root).TryGet(DemoSetup.CredentialName)!.PolicyBlock)!;
        Assert.Equal(bot.Signature, credential.Signature);
        Assert.Equal(bot.Signature, SignedConfigFile.TryLoad(SignedConfigFile.PathIn(_data.Root))!.Policy.Signature);
    }

    [Fact]
    public async Task Bots_update_narrows_without_the_token_and_remove_is_anchored()
    {
        var narrow = await CliHarness.Run(null, "bots", "update", DemoSetup.BotName, "--data-dir", _data.Root,
            "--max-order-notional", "50000", "--markets", "KRW-BTC", "--remove-withdraw-address", $"BTC:BTC:{DemoSetup.WithdrawAddress}");
        Assert.True(narrow.Code == 0, narrow.Err);
        Assert.Contains("narrowed without the token", narrow.Out);
        var bot = new BotStore(_data.Root).Load(DemoSetup.BotName);
        Assert.Equal(50000m, bot.MaxOrderNotional);
        Assert.Empty(bot.WithdrawAddresses);
        Assert.True(bot.Policy!.IsNarrowed);

        var widen = await CliHarness.Run(null, "bots", "update", DemoSetup.BotName, "--data-dir", _data.Root, "--transfer-pocket", "p-1", "--scopes",
            string.Join(",", [.. bot.Scopes, "asset-transfer"]));
        Assert.True(widen.Code == 0, widen.Err);
        Assert.Contains("changed and signed", widen.Out);
        Assert.Equal(["p-1"], new BotStore(_data.Root).Load(DemoSetup.BotName).TransferPockets);

        var list = await CliHarness.Run(null, "bots", "list", "--data-dir", _data.Root);
        Assert.Contains("signed", list.Out);

        var remove = await CliHarness.Run(null, "bots", "remove", DemoSetup.BotName, "--data-dir", _data.Root);
        Assert.True(remove.Code == 0, remove.Err);
        Assert.False(new BotStore(_data.Root).Exists(DemoSetup.BotName));
        var floors = Appliance.Audit.PolicyAnchorLog.ReadFloors(_data.AuditDir, TokenDescriptor.Load(_data.TokenFile).PublicKey(Appliance.Token.KeySlot.Audit));
        Assert.Equal(4, floors.Of(PolicyRecordKey.Bot(DemoSetup.BotName))); // signed 1, narrowed 2, signed 3, removed 4
    }

    [Fact]
    public async Task Bots_add_takes_destination_pockets_with_a_pocket_scope_only()
    {
        var ok = await CliHarness.Run(null, "bots", "add", "sweeper", "--data-dir", _data.Root, "--credential", DemoSetup.CredentialName,
            "--scopes", "asset-transfer", "--transfer-pocket", "11111111-1111-4111-8111-111111111111", "--transfer-pocket", "main.pocket", "--out", _dir.Sub("sweeper-bundle"));
        Assert.True(ok.Code == 0, ok.Err);
        Assert.Contains("may transfer to pocket 11111111-1111-4111-8111-111111111111", ok.Out);
        Assert.Equal(["11111111-1111-4111-8111-111111111111", "main.pocket"], new BotStore(_data.Root).Load("sweeper").TransferPockets);

        var noScope = await CliHarness.Run(null, "bots", "add", "other", "--data-dir", _data.Root, "--credential", DemoSetup.CredentialName,
            "--scopes", "trade", "--transfer-pocket", "p", "--out", _dir.Sub("other-bundle"));
        Assert.Equal(2, noScope.Code);
        Assert.Contains("pocket-manage", noScope.Err);
        Assert.False(new BotStore(_data.Root).Exists("other"));
    }
}
