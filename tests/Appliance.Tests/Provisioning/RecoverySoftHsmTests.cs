using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Appliance.Audit;
using Appliance.Client;
using Appliance.Config;
using Appliance.Policy;
using Appliance.Provisioning;
using Appliance.Sealing;
using Appliance.Server;
using Appliance.Tests.Devices.Tokens;
using Appliance.Tests.FakeUpbit;
using Appliance.Tests.Support;
using Appliance.Token;
using Appliance.Devices.Tokens;
using Microsoft.Extensions.Logging;

namespace Appliance.Tests.Provisioning;

/// <summary>
/// The recovery key with two (then three) real SoftHSM2 tokens: enrolled at init, credentials sealed to it, the primary
/// lost, the data dir moved to a new primary with it; the moved appliance signs again and its audit log still verifies.
/// </summary>
[Collection(SoftHsmCollection.Name)]
public sealed class RecoverySoftHsmTests(SoftHsmFixture softHsm) : IDisposable
{
    private const string Module = SoftHsmFixture.ModulePath;
    private const string AccessKey = "recovery-access-key";
    private const string Secret = "RecoverySecret0123456789abcdefghijklmnopq";

    private readonly TempDir _dir = new();

    private string DataDir => _dir.Sub("data");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_data_dir_moved_to_a_new_primary_with_the_recovery_token_signs_again_and_its_audit_log_still_verifies()
    {
        Assert.NotEmpty(softHsm.TestSerial);
        var (primary, recovery, replacement) = (InitSupport.NewToken(), InitSupport.NewToken(), InitSupport.NewToken());
        var pin = InitSupport.PinFile(_dir.Path);
        var init = await InitSupport.Cli(null, "init", "--data-dir", DataDir, "--pkcs11-module", Module, "--token-label", primary,
            "--pin-file", pin, "--listen", "127.0.0.1:0", "--recovery-token-label", recovery, "--recovery-pin-file", pin);
        Assert.True(init.Exit == 0, init.Error + init.Out);
        Assert.Contains("enrolled", init.Out);
        var data = new DataDir(DataDir);
        var pinned = TokenDescriptor.Load(data.TokenFile);
        Assert.NotNull(pinned.Recovery);

        var add = await InitSupport.Cli(Secret + "\n", "credentials", "add", "main", "--data-dir", DataDir, "--access-key", AccessKey);
        Assert.True(add.Exit == 0, add.Error);
        var sealedMain = new CredentialStore(data.Root).TryGet("main")!;
        Assert.Equal(SealedCredential.SignedVersion, sealedMain.FileVersion);
        Assert.True(sealedMain.Recovery!.PublicKey.Span.SequenceEqual(pinned.Recovery!.PublicKey(KeySlot.Seal)));
        var bundle = _dir.Sub("bundle");
        var bot = await InitSupport.Cli(null, "bots", "add", "trader", "--data-dir", DataDir, "--credential", "main",
            "--scopes", "view-assets,trade", "--out", bundle);
        Assert.True(bot.Exit == 0, bot.Error);

        // The old primary signs for a while: the audit log gets its checkpoints and a policy snapshot.
        await SignThroughServer(data, bundle);
        Assert.True(Verify(data).Ok);

        // The primary is lost.
        DeleteToken(primary);
        var restore = await InitSupport.Cli(null, "recovery", "restore", "--data-dir", DataDir, "--pkcs11-module", Module,
            "--token-label", replacement, "--pin-file", pin, "--recovery-token-label", recovery, "--recovery-pin-file", pin);
        Assert.True(restore.Exit == 0, restore.Error + restore.Out);
        Assert.Contains("1 credential(s) moved", restore.Out);
        Assert.DoesNotContain("LOST", restore.Out);

        var moved = TokenDescriptor.Load(data.TokenFile);
        Assert.NotEqual(pinned.Serial, moved.Serial);
        Assert.Equal(pinned.Recovery.Serial, moved.Recovery!.Serial);
        var envelope = new CredentialStore(data.Root).TryGet("main")!;
        Assert.True(envelope.TokenPublicKey.Span.SequenceEqual(moved.PublicKey(envelope.Slot)));
        Assert.NotNull(envelope.Recovery);
        // Everything is signed again, by the new policy key.
        Assert.All(PolicyInventory.Check(data), i => Assert.True(i.Verdict.Ok, $"{i.Key}: {i.Verdict.Problem}"));
        Assert.Contains(restore.Out.Split('\n'), l => l.Contains(RecoveryRestore.Fingerprint(moved.PublicKey(KeySlot.Audit))));

        // The audit log verifies against the new key (token.json) and against the old one, across the move.
        var verification = Verify(data);
        Assert.True(verification.Ok, verification.Problem?.ToString());
        Assert.Contains(verification.Warnings, w => w.Contains("moved to a new primary token 1 time"));
        Assert.True(AuditVerifier.Verify(data.AuditDir, pinned.PublicKey(KeySlot.Audit)).Ok);
        using (var stranger = SoftwareToken.Create())
            Assert.False(AuditVerifier.Verify(data.AuditDir, stranger.GetPublicKey(KeySlot.Audit)).Ok);
        var cli = await InitSupport.Cli(null, "audit", "verify", "--data-dir", DataDir);
        Assert.True(cli.Exit == 0, cli.Error + cli.Out);

        // And the moved appliance signs requests the exchange accepts, with the same secret.
        await SignThroughServer(data, bundle);
    }

    [Fact]
    public async Task Restore_refuses_the_recovery_token_as_the_new_primary_and_a_token_that_was_not_enrolled()
    {
        var (primary, recovery, stranger) = (InitSupport.NewToken(), InitSupport.NewToken(), InitSupport.NewToken());
        var pin = InitSupport.PinFile(_dir.Path);
        Assert.Equal(0, (await InitSupport.Cli(null, "init", "--data-dir", DataDir, "--pkcs11-module", Module, "--token-label", primary,
            "--pin-file", pin, "--listen", "127.0.0.1:0", "--recovery-token-label", recovery, "--recovery-pin-file", pin)).Exit);
        var before = File.ReadAllText(new DataDir(DataDir).TokenFile);

        var same = await InitSupport.Cli(null, "recovery", "restore", "--data-dir", DataDir, "--pkcs11-module", Module,
            "--token-label", recovery, "--pin-file", pin, "--recovery-token-label", recovery, "--recovery-pin-file", pin);
        Assert.Equal(2, same.Exit);
        Assert.Contains("is the recovery token", same.Error);

        var wrong = await InitSupport.Cli(null, "recovery", "restore", "--data-dir", DataDir, "--pkcs11-module", Module,
            "--token-label", InitSupport.NewToken(), "--pin-file", pin, "--recovery-token-label", stranger, "--recovery-pin-file", pin);
        Assert.Equal(1, wrong.Exit);
        Assert.Contains("is not the enrolled recovery token", wrong.Error);
        Assert.Equal(before, File.ReadAllText(new DataDir(DataDir).TokenFile));
    }

    private static AuditVerification Verify(DataDir data) =>
        AuditVerifier.Verify(data.AuditDir, TokenDescriptor.Load(data.TokenFile).PublicKey(KeySlot.Audit));

    private static async Task SignThroughServer(DataDir data, string bundle)
    {
        var config = ApplianceConfig.Load(data.ConfigFile);
        await using var upbit = await FakeUpbitServer.StartAsync();
        upbit.AddKey(AccessKey, Secret);
        var setup = new ServerSetup(data, config, TokenOpener.Open(data, config.PinFile))
        {
            Logging = l => l.AddFilter(_ => false),
            UpbitUrl = upbit.BaseAddress.ToString(),
            InsecureTestUpstream = true,
        };
        await using var server = await ApplianceServer.StartAsync(setup, CancellationToken.None);
        using var client = new ApplianceClient(ApplianceBundle.Load(bundle), TimeProvider.System, server.Addresses[0]);
        var sent = await client.SendAsync("GET", "/v1/accounts", []);
        Assert.True(sent.HttpStatus == 200, sent.Body.ToStringUtf8());
        Assert.Single(upbit.Accepted); // the stand-in checked the token the new primary signed
    }

    private static void DeleteToken(string label)
    {
        using var process = Process.Start(new ProcessStartInfo("softhsm2-util")
        {
            ArgumentList = { "--delete-token", "--token", label },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, error.Result);
    }
}
