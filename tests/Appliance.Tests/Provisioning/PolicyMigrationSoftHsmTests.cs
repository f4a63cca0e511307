using System.Text.Json.Nodes;
using Appliance.Config;
using Appliance.Policy;
using Appliance.Provisioning;
using Appliance.Tests.Devices.Tokens;
using Appliance.Tests.Support;

namespace Appliance.Tests.Provisioning;

/// <summary>
/// A data dir from before signed policy, on a real SoftHSM2 token: token.json without the policy key (84) and no seal
/// anywhere. The commands say what to do, and <c>init --force</c> then <c>policy sign-all</c> bring it back.
/// </summary>
[Collection(SoftHsmCollection.Name)]
public sealed class PolicyMigrationSoftHsmTests(SoftHsmFixture softHsm) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task An_old_data_dir_is_told_to_run_init_force_and_sign_all_and_then_every_record_verifies()
    {
        Assert.NotEmpty(softHsm.TestSerial);
        var label = InitSupport.NewToken();
        var pin = InitSupport.PinFile(_dir.Path);
        var dataDir = _dir.Sub("data");
        string[] init = ["init", "--data-dir", dataDir, "--pkcs11-module", SoftHsmFixture.ModulePath, "--token-label", label, "--pin-file", pin, "--listen", "127.0.0.1:0"];
        Assert.Equal(0, (await InitSupport.Cli(null, init)).Exit);
        Assert.Equal(0, (await InitSupport.Cli("old-secret\n", "credentials", "add", "main", "--data-dir", dataDir, "--access-key", "AK")).Exit);
        Assert.Equal(0, (await InitSupport.Cli(null, "bots", "add", "grid", "--data-dir", dataDir, "--credential", "main", "--scopes", "trade",
            "--out", _dir.Sub("bundle"))).Exit);

        // Make it look like a data dir from before: no slot 84 in token.json, no seals, no signed config.
        var data = new DataDir(dataDir);
        var token = JsonNode.Parse(File.ReadAllText(data.TokenFile))!.AsObject();
        token["public_keys"]!.AsObject().Remove("84");
        File.WriteAllText(data.TokenFile, token.ToJsonString());
        var bots = new BotStore(data.Root);
        bots.Save(bots.Load("grid") with { Policy = null });
        var credentials = new Appliance.Sealing.CredentialStore(data.Root);
        credentials.Replace(credentials.TryGet("main")! with { PolicyBlock = null });
        File.Delete(SignedConfigFile.PathIn(data.Root));

        var status = await InitSupport.Cli(null, "policy", "status", "--data-dir", dataDir);
        Assert.Equal(1, status.Exit);
        Assert.Contains("init --force", status.Error);

        var force = await InitSupport.Cli(null, [.. init, "--force"]);
        Assert.True(force.Exit == 0, force.Error);
        Assert.Contains("policy sign-all", force.Out);
        var serve = await InitSupport.Cli(null, "serve", "--data-dir", dataDir, "--panel", "none");
        Assert.Equal(1, serve.Exit);
        Assert.Contains("policy sign-all", serve.Error);

        var sign = await InitSupport.Cli(null, "policy", "sign-all", "--data-dir", dataDir);
        Assert.True(sign.Exit == 0, sign.Error + sign.Out);
        Assert.All(PolicyInventory.Check(data), i => Assert.True(i.Verdict.Ok, $"{i.Key}: {i.Verdict.Problem}"));
    }
}
