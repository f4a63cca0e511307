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

        // The appliance keeps nothing of the bundle: only the profile names the bot.
        Assert.Equal([Path.Combine(_data, "bots", "alpha.json")],
            Directory.EnumerateFiles(_data, "*", SearchOption.AllDirectories).Where(f => f.Contains("alpha", StringComparison.Ordinal)));

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
        var bundle = _dir.Sub("broken-bundle");
        var (code, _, error) = await CliHarness.Run(null, ["bots", "add", "broken", "--data-dir", _data, "--out", bundle, .. flags]);
        Assert.Equal(expected, code);
        Assert.StartsWith("error: ", error);
        Assert.DoesNotContain("--out", error); // refused for the flag under test
        Assert.False(File.Exists(Path.Combine(_data, "bots", "broken.json")));
        Assert.False(Directory.Exists(bundle));
    }

    [Fact]
    public async Task Bots_add_without_out_names_the_fix_and_writes_nothing()
    {
        var (code, _, error) = await CliHarness.Run(null, "bots", "add", "nowhere", "--data-dir", _data, "--credential", "demo", "--scopes", "trade");
        Assert.Equal(2, code);
        Assert.StartsWith("error: Say where to write the bot's bundle with --out DIR", error);
        Assert.False(File.Exists(Path.Combine(_data, "bots", "nowhere.json")));
        Assert.False(Directory.Exists(Path.Combine(_data, "bundles", "nowhere")));
    }

    [Theory]
    [InlineData("bundles/inside")]
    [InlineData(".")]
    [InlineData("through-link/inside")]
    public async Task Bots_add_refuses_an_out_inside_the_data_dir_even_through_a_link(string under)
    {
        // A link outside the data dir that points into it is still the data dir.
        Directory.CreateSymbolicLink(_dir.Sub("link"), _data);
        var target = under.StartsWith("through-link", StringComparison.Ordinal)
            ? Path.Combine(_dir.Sub("link"), under["through-link/".Length..])
            : Path.Combine(_data, under);
        var (code, _, error) = await CliHarness.Run(null, "bots", "add", "inside", "--data-dir", _data, "--credential", "demo", "--scopes", "trade", "--out", target);
        Assert.Equal(2, code);
        Assert.Contains("is inside the data dir", error);
        Assert.Contains("write the bundle outside it", error);
        Assert.False(File.Exists(Path.Combine(_data, "bots", "inside.json")));
        Assert.DoesNotContain(Directory.EnumerateFiles(_data, "bot.key", SearchOption.AllDirectories), f => !f.Contains(DemoSetup.BotName, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bots_renew_needs_out_writes_there_and_drops_a_bundle_an_older_version_left_in_the_data_dir()
    {
        var first = _dir.Sub("first");
        Assert.Equal(0, (await CliHarness.Run(null, "bots", "add", "beta", "--data-dir", _data, "--credential", "demo", "--scopes", "trade", "--out", first)).Code);
        var legacy = Path.Combine(_data, "bundles", "beta"); // where older versions kept it
        Directory.CreateDirectory(legacy);
        File.Copy(Path.Combine(first, "bot.key"), Path.Combine(legacy, "bot.key"));

        var missing = await CliHarness.Run(null, "bots", "renew", "beta", "--data-dir", _data);
        Assert.Equal(2, missing.Code);
        Assert.Contains("--out", missing.Err);
        Assert.True(Directory.Exists(legacy)); // a refused renew changes nothing

        var second = _dir.Sub("second");
        var (code, output, error) = await CliHarness.Run(null, "bots", "renew", "beta", "--data-dir", _data, "--out", second);
        Assert.True(code == 0, error);
        Assert.Contains(second, output);
        Assert.True(File.Exists(Path.Combine(second, "bot.key")));
        Assert.False(Directory.Exists(legacy));
        Assert.NotEqual(File.ReadAllText(Path.Combine(first, "bot.pem")), File.ReadAllText(Path.Combine(second, "bot.pem")));
    }

    [Fact]
    public async Task Commands_on_a_dir_that_is_not_initialised_name_the_fix()
    {
        var (code, _, error) = await CliHarness.Run(null, "bots", "list", "--data-dir", _dir.Sub("empty"));
        Assert.Equal(1, code);
        Assert.Contains("appliance init", error);
    }
}
