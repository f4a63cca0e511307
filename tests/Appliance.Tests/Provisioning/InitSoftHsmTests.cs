using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Appliance.Client;
using Appliance.Config;
using Appliance.Server;
using Appliance.Tests.FakeUpbit;
using Appliance.Tests.Support;
using Appliance.Token;
using Microsoft.Extensions.Logging;
using Appliance.Devices.Tokens;
using Appliance.Tests.Devices.Tokens;

namespace Appliance.Tests.Provisioning;

/// <summary>
/// `appliance init` against a real PKCS#11 token (SoftHSM2), then the whole provisioning path through
/// the CLI and a signature the stand-in Upbit accepts, with the server holding the Pkcs11Token.
/// </summary>
[Collection(SoftHsmCollection.Name)]
public sealed class InitSoftHsmTests(SoftHsmFixture softHsm) : IDisposable
{
    private const string Module = SoftHsmFixture.ModulePath;
    private const string AccessKey = "softhsm-access-key";
    private const string Secret = "SoftHsmSecret0123456789abcdefghijklmnopqr";

    private readonly TempDir _dir = new();
    private readonly SoftHsmFixture _softHsm = softHsm;

    private string DataDir => _dir.Sub("data");

    public void Dispose() => _dir.Dispose();

    private Task<InitSupport.Run> Init(string label, string? pinFile, params string[] more) =>
        InitSupport.Cli(null, ["init", "--data-dir", DataDir, "--pkcs11-module", Module, "--token-label", label,
            .. pinFile is null ? Array.Empty<string>() : ["--pin-file", pinFile], "--listen", "127.0.0.1:0", .. more]);

    [Fact]
    public async Task Init_credentials_bots_serve_and_a_signature_the_exchange_accepts()
    {
        Assert.NotEmpty(_softHsm.TestSerial);
        var label = InitSupport.NewToken();
        var pinFile = InitSupport.PinFile(_dir.Path);

        var init = await Init(label, pinFile);
        Assert.True(init.Exit == 0, init.Error + init.Out);
        Assert.Equal(4, init.Out.Split('\n').Count(l => l.StartsWith("generated a P-256 key pair")));
        var data = new DataDir(DataDir);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(data.Root));
        var descriptor = TokenDescriptor.Load(data.TokenFile);
        Assert.Equal(TokenDescriptor.Pkcs11Kind, descriptor.Kind);
        Assert.Equal(Module, descriptor.Module);
        Assert.Equal(label, descriptor.Label);
        Assert.Equal(["83", "84", "9a", "9d"], descriptor.PublicKeys.Keys.Order(StringComparer.Ordinal));
        // The operator writes the audit key's fingerprint down; audit verify --key checks against it.
        var fingerprint = Appliance.Audit.AuditKeyFingerprint.Of(descriptor.PublicKey(Appliance.Token.KeySlot.Audit));
        Assert.Matches("^([0-9a-f]{4} ){15}[0-9a-f]{4}$", fingerprint);
        Assert.Contains($"  {fingerprint}\n", init.Out.Replace("\r", ""));
        var config = ApplianceConfig.Load(data.ConfigFile);
        Assert.Equal(pinFile, config.PinFile);
        Assert.False(config.Demo);
        Assert.DoesNotContain(InitSupport.Pin, File.ReadAllText(data.ConfigFile)); // the path, never the PIN

        var add = await InitSupport.Cli(Secret + "\n", "credentials", "add", "main", "--data-dir", DataDir, "--access-key", AccessKey);
        Assert.True(add.Exit == 0, add.Error);
        var bundle = _dir.Sub("bundle");
        var bot = await InitSupport.Cli(null, "bots", "add", "trader", "--data-dir", DataDir, "--credential", "main",
            "--scopes", "view-assets,trade", "--out", bundle);
        Assert.True(bot.Exit == 0, bot.Error);

        await using var upbit = await FakeUpbitServer.StartAsync();
        upbit.AddKey(AccessKey, Secret);
        var setup = new ServerSetup(data, config, TokenOpener.Open(data, config.PinFile))
        {
            Logging = l => l.AddFilter(_ => false),
            ReopenToken = () => TokenOpener.Open(data, config.PinFile),
            UpbitUrl = upbit.BaseAddress.ToString(),
            InsecureTestUpstream = true,
        };
        await using var server = await ApplianceServer.StartAsync(setup, CancellationToken.None);
        Assert.IsType<Pkcs11Token>(server.Token.Current);
        using var client = new ApplianceClient(ApplianceBundle.Load(bundle), TimeProvider.System, server.Addresses[0]);

        var answer = await client.SendAsync("POST", "/v1/orders",
            [new("market", "KRW-BTC"), new("side", "bid"), new("volume", "0.01"), new("price", "100000000"), new("ord_type", "limit")]);
        Assert.True(answer.HttpStatus == 201, answer.Body.ToStringUtf8());
        Assert.Equal(AccessKey, Assert.Single(upbit.Accepted).AccessKey);

        // A checkpoint signed by the SoftHSM audit key verifies against the fingerprint init printed.
        Assert.NotNull(await server.AuditLog!.CheckpointAsync(CancellationToken.None));
        var verify = await InitSupport.Cli(null, "audit", "verify", "--data-dir", DataDir, "--key", fingerprint.ToUpperInvariant());
        Assert.True(verify.Exit == 0, verify.Error + verify.Out);
        // The CLI's policy anchors and the server's policy snapshot are checkpointed too (signed policy): one or more.
        Assert.Matches(@"[1-9][0-9]* checkpoint\(s\) verified", verify.Out);
        Assert.Contains("the fingerprint you gave", verify.Out);

        AssertNoPlaintextUnder(data.Root, Secret);
    }

    [Fact]
    public async Task Init_refuses_to_rebind_without_force_and_says_what_force_loses()
    {
        var label = InitSupport.NewToken();
        var pinFile = InitSupport.PinFile(_dir.Path);
        Assert.Equal(0, (await Init(label, pinFile)).Exit);
        var add = await InitSupport.Cli(Secret + "\n", "credentials", "add", "main", "--data-dir", DataDir, "--access-key", AccessKey);
        Assert.Equal(0, add.Exit);
        var pinned = File.ReadAllText(Path.Combine(DataDir, "token.json"));

        var again = await Init(label, pinFile);
        Assert.Equal(1, again.Exit);
        Assert.Contains("token.json exists", again.Error);
        Assert.Contains("--force", again.Error);
        Assert.Contains("can no longer be unsealed", again.Error);
        Assert.Equal(pinned, File.ReadAllText(Path.Combine(DataDir, "token.json")));

        // --force on the same token keeps its keys (nothing generated), so the credential stays usable.
        var forced = await Init(label, pinFile, "--force");
        Assert.True(forced.Exit == 0, forced.Error);
        Assert.DoesNotContain("generated", forced.Out);
        Assert.DoesNotContain("WARNING", forced.Out);
        Assert.Equal(pinned, File.ReadAllText(Path.Combine(DataDir, "token.json")));

        // --force onto another token: the credential sealed to the old keys is named as lost.
        var other = await Init(InitSupport.NewToken(), pinFile, "--force");
        Assert.True(other.Exit == 0, other.Error);
        Assert.Contains("WARNING: credential main was sealed to other keys", other.Out);
    }

    [Fact]
    public async Task Wrong_pin_is_a_clear_error_and_writes_nothing()
    {
        var label = InitSupport.NewToken();
        var run = await Init(label, InitSupport.PinFile(_dir.Path, "999999"));
        Assert.Equal(1, run.Exit);
        Assert.StartsWith("error: Wrong PIN;", run.Error);
        Assert.DoesNotContain("999999", run.Error);
        Assert.False(Directory.Exists(DataDir));
    }

    [Fact]
    public async Task Missing_module_or_pin_file_are_clear_errors()
    {
        var missingModule = Path.Combine(_dir.Path, "libnothing.so");
        var run = await InitSupport.Cli(null, "init", "--data-dir", DataDir, "--pkcs11-module", missingModule, "--pin-file", InitSupport.PinFile(_dir.Path));
        Assert.Equal(2, run.Exit);
        Assert.Contains($"PKCS#11 module not found at {missingModule}", run.Error);
        Assert.Contains("apt-get install ykcs11", run.Error);

        var noPin = await Init(InitSupport.NewToken(), pinFile: null);
        Assert.Equal(2, noPin.Exit);
        Assert.Contains("--pin-file", noPin.Error);

        var noSuchPinFile = await Init(InitSupport.NewToken(), Path.Combine(_dir.Path, "nope"));
        Assert.Equal(1, noSuchPinFile.Exit);
        Assert.Contains("does not exist", noSuchPinFile.Error);

        var noModuleFlag = await InitSupport.Cli(null, "init", "--data-dir", DataDir);
        Assert.NotEqual(0, noModuleFlag.Exit);
        Assert.Contains("--pkcs11-module", noModuleFlag.Error);
        Assert.False(Directory.Exists(DataDir));
    }

    [Fact]
    public async Task Label_and_serial_together_are_refused()
    {
        var run = await Init(InitSupport.NewToken(), InitSupport.PinFile(_dir.Path), "--token-serial", "1234");
        Assert.Equal(2, run.Exit);
        Assert.Contains("not both", run.Error);
    }

    [Fact]
    public void The_plaintext_grep_finds_every_encoding()
    {
        var raw = Encoding.UTF8.GetBytes(Secret);
        foreach (var leak in new[] { Secret, Convert.ToBase64String(raw), Convert.ToHexString(raw) })
        {
            using var dir = new TempDir();
            File.WriteAllText(Path.Combine(dir.Path, "leak.json"), $"{{\"x\":\"{leak}\"}}");
            Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AssertNoPlaintextUnder(dir.Path, Secret));
        }
    }

    /// <summary>Greps every file under the data dir for the secret as bytes, base64 (both alphabets) and hex.</summary>
    internal static void AssertNoPlaintextUnder(string root, string secret)
    {
        var raw = Encoding.UTF8.GetBytes(secret);
        string[] encodings =
        [
            secret,
            Convert.ToBase64String(raw),
            Convert.ToBase64String(raw).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
            Convert.ToHexStringLower(raw),
            Convert.ToHexString(raw),
            JsonSerializer.Serialize(secret).Trim('"'),
        ];
        // Unix sockets (admin.sock, panel.sock) hold nothing at rest and cannot be read as files.
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".sock", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            var text = Encoding.Latin1.GetString(bytes);
            foreach (var form in encodings)
                Assert.False(text.Contains(form, StringComparison.OrdinalIgnoreCase), $"{file} contains the secret ({form[..6]}…)");
        }
    }
}
