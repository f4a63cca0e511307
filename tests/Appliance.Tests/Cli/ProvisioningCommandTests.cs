using System.Text;
using Appliance.Common;
using Appliance.Config;
using Appliance.Provisioning;
using Appliance.Tests.Support;

namespace Appliance.Tests.Cli;

/// <summary>The operator commands on a demo data dir: what they write, and what they refuse.</summary>
public sealed class ProvisioningCommandTests : IDisposable
{
    private const string Secret = "cli-secret-ZXCVBNMASDFGHJKLQWERTYUIOP123";
    private readonly TempDir _dir = new();
    private readonly string _data;

    public ProvisioningCommandTests()
    {
        _data = _dir.Sub("data");
        using var secret = SecretBytes.TakeFrom(Encoding.UTF8.GetBytes("demo-secret"));
        DemoSetup.Ensure(new DataDir(_data), "127.0.0.1:0", TimeProvider.System, secret);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Credentials_add_reads_the_secret_from_stdin_and_no_plaintext_reaches_disk()
    {
        var (code, output, error) = await CliHarness.Run(Secret + "\n", "credentials", "add", "main", "--data-dir", _data, "--access-key", "AK-main", "--scopes", "trade,view-assets");
        Assert.True(code == 0, error);
        Assert.Contains("credential main sealed", output);

        var needles = new[] { Secret, Convert.ToBase64String(Encoding.UTF8.GetBytes(Secret)), Convert.ToHexString(Encoding.UTF8.GetBytes(Secret)) };
        foreach (var file in Directory.EnumerateFiles(_data, "*", SearchOption.AllDirectories))
        {
            var text = Encoding.UTF8.GetString(File.ReadAllBytes(file));
            foreach (var needle in needles)
                Assert.False(text.Contains(needle, StringComparison.OrdinalIgnoreCase), $"{file} holds the secret");
        }
        Assert.DoesNotContain(Secret, output + error);
    }

    [Theory]
    [InlineData(2, "--scopes", "trade,fly")]
    [InlineData(2, "--scopes", "withdraw")]
    [InlineData(2, "--approval", "maybe")]
    [InlineData(2, "--expires", "2020-01-01")]
    [InlineData(2, "--expires", "next-year")]
    public async Task Credentials_add_refuses_bad_input_and_writes_nothing(int expected, string flag, string value)
    {
        var (code, _, error) = await CliHarness.Run(Secret + "\n", "credentials", "add", "bad", "--data-dir", _data, "--access-key", "AK", flag, value);
        Assert.Equal(expected, code);
        Assert.StartsWith("error: ", error);
        Assert.False(File.Exists(Path.Combine(_data, "credentials", "bad.sealed.json")));
    }

    [Fact]
    public async Task Credentials_add_without_a_secret_on_stdin_fails()
    {
        var (code, _, error) = await CliHarness.Run("", "credentials", "add", "empty", "--data-dir", _data, "--access-key", "AK");
        Assert.Equal(2, code);
        Assert.Contains("standard input", error);
    }

    [Fact]
    public async Task Credentials_add_twice_points_to_rotate_and_rotate_replaces()
    {
        Assert.Equal(0, (await CliHarness.Run(Secret, "credentials", "add", "dup", "--data-dir", _data, "--access-key", "AK1")).Code);
        var (code, _, error) = await CliHarness.Run(Secret, "credentials", "add", "dup", "--data-dir", _data, "--access-key", "AK1");
        Assert.Equal(1, code);
        Assert.Contains("rotate", error);

        var before = File.ReadAllText(Path.Combine(_data, "credentials", "dup.sealed.json"));
        Assert.Equal(0, (await CliHarness.Run("new-secret", "credentials", "rotate", "dup", "--data-dir", _data, "--access-key", "AK2")).Code);
        var after = File.ReadAllText(Path.Combine(_data, "credentials", "dup.sealed.json"));
        Assert.NotEqual(before, after);
        Assert.Contains("AK2", after);
    }

    [Fact]
    public async Task Credentials_list_warns_before_expiry()
    {
        var soon = DateTimeOffset.UtcNow.AddDays(20).ToString("yyyy-MM-dd");
        var later = DateTimeOffset.UtcNow.AddDays(60).ToString("yyyy-MM-dd");
        await CliHarness.Run(Secret, "credentials", "add", "soon", "--data-dir", _data, "--access-key", "AK", "--expires", soon);
        await CliHarness.Run(Secret, "credentials", "add", "later", "--data-dir", _data, "--access-key", "AK", "--expires", later);

        var (code, output, _) = await CliHarness.Run(null, "credentials", "list", "--data-dir", _data);
        Assert.Equal(0, code);
        // Whole days left, so 19 or 20 depending on the time of day; 30 and 90 are the thresholds.
        Assert.Matches(@"soon .*\n  WARNING: expires in (19|20) days", output);
        Assert.Matches(@"later .*\n  warning: expires in (59|60) days", output);
    }

    [Fact]
    public async Task Bots_add_list_revoke()
    {
        var bundle = _dir.Sub("bundle");
        var (code, output, error) = await CliHarness.Run(null, "bots", "add", "alpha", "--data-dir", _data, "--credential", "demo",
            "--scopes", "trade,view-orders", "--markets", "KRW-BTC", "--allow-ip", "192.168.1.0/24", "--out", bundle);
        Assert.True(code == 0, error);
        Assert.Contains(bundle, output);
        foreach (var file in new[] { "ca.pem", "bot.pem", "bot.key", "bot.json" })
            Assert.True(File.Exists(Path.Combine(bundle, file)), file);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(bundle, "bot.key")));

        Assert.Equal(0, (await CliHarness.Run(null, "bots", "revoke", "alpha", "--data-dir", _data)).Code);
        var list = (await CliHarness.Run(null, "bots", "list", "--data-dir", _data)).Out;
        Assert.Matches(@"alpha\s+revoked", list);
        Assert.Matches(@"demo-bot\s+active", list);
    }

    [Theory]
    [InlineData(1, "--credential", "ghost", "--scopes", "trade")]
    [InlineData(2, "--credential", "demo", "--scopes", "trade,teleport")]
    [InlineData(2, "--credential", "demo", "--scopes", "trade", "--allow-ip", "not-a-cidr")]
    [InlineData(2, "--credential", "demo", "--scopes", "trade", "--markets", "btc")]
    [InlineData(2, "--credential", "demo", "--scopes", "trade", "--max-order-notional", "-5")]
    public async Task Bots_add_refuses_bad_input_and_writes_nothing(int expected, params string[] flags)
    {
        var (code, _, error) = await CliHarness.Run(null, ["bots", "add", "broken", "--data-dir", _data, .. flags]);
        Assert.Equal(expected, code);
        Assert.StartsWith("error: ", error);
        Assert.False(File.Exists(Path.Combine(_data, "bots", "broken.json")));
        Assert.False(Directory.Exists(Path.Combine(_data, "bundles", "broken")));
    }

    [Fact]
    public async Task Commands_on_a_dir_that_is_not_initialised_name_the_fix()
    {
        var (code, _, error) = await CliHarness.Run(null, "bots", "list", "--data-dir", _dir.Sub("empty"));
        Assert.Equal(1, code);
        Assert.Contains("appliance init", error);
    }
}
