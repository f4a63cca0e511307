using System.Text;
using System.Text.Json.Nodes;
using Appliance.Common;
using Appliance.Config;
using Appliance.Devices.Tokens;
using Appliance.Pipeline;
using Appliance.Policy;
using Appliance.Provisioning;
using Appliance.Sealing;
using Appliance.Tests.Support;

namespace Appliance.Tests.Cli;

/// <summary><c>bots add --rate/--burst</c> and <c>credentials add|rotate --pocket</c>: what is stored, and bad input refused before anything is written.</summary>
public sealed class RateAndPocketFlagsTests : IDisposable
{
    private const string Secret = "pocket-secret-ZXCVBNMASDFGHJKLQWERTYUIOP123";
    private readonly TempDir _dir = new();
    private readonly DataDir _data;

    public RateAndPocketFlagsTests()
    {
        _data = new DataDir(_dir.Sub("data"));
        using var secret = SecretBytes.TakeFrom(Encoding.UTF8.GetBytes("demo-secret"));
        DemoSetup.Ensure(_data, "127.0.0.1:0", TimeProvider.System, secret);
    }

    public void Dispose() => _dir.Dispose();

    private Task<(int Code, string Out, string Err)> AddBot(string name, params string[] flags) =>
        CliHarness.Run(null, ["bots", "add", name, "--data-dir", _data.Root, "--credential", DemoSetup.CredentialName, "--scopes", "view-assets", "--out", _dir.Sub("bundle-" + name), .. flags]);

    [Theory]
    [InlineData("2.5/s", "7", 2.5, 7)]
    [InlineData("30", "1", 30, 1)]
    [InlineData("0.1/S", "10000", 0.1, 10_000)]
    public async Task Bots_add_stores_the_rate_and_burst(string rate, string burst, double perSecond, int bucket)
    {
        var (code, output, error) = await AddBot("paced", "--rate", rate, "--burst", burst);
        Assert.True(code == 0, error);
        Assert.Contains($"rate {perSecond}/s burst {bucket}", output);
        var profile = new BotStore(_data.Root).Load("paced");
        Assert.Equal(new BotRate(perSecond, bucket), BotRate.Of(profile));

        var list = await CliHarness.Run(null, "bots", "list", "--data-dir", _data.Root);
        Assert.Contains($"{perSecond}/s {bucket}", list.Out);
    }

    [Fact]
    public async Task Without_flags_a_bot_gets_the_default_rate_written_out()
    {
        var (code, _, error) = await AddBot("plain");
        Assert.True(code == 0, error);
        var json = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_data.BotsDir, "plain.json")))!;
        Assert.Equal(10, json["rate_per_second"]!.GetValue<double>());
        Assert.Equal(20, json["burst"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_profile_written_before_rates_loads_with_the_defaults()
    {
        var path = Path.Combine(_data.BotsDir, DemoSetup.BotName + ".json");
        var json = JsonNode.Parse(await File.ReadAllTextAsync(path))!.AsObject();
        json.Remove("rate_per_second");
        json.Remove("burst");
        await File.WriteAllTextAsync(path, json.ToJsonString());
        Assert.Equal(BotRate.Default, BotRate.Of(new BotStore(_data.Root).Load(DemoSetup.BotName)));
    }

    [Fact]
    public async Task A_profile_with_a_bad_rate_is_refused_naming_the_file()
    {
        var path = Path.Combine(_data.BotsDir, DemoSetup.BotName + ".json");
        var json = JsonNode.Parse(await File.ReadAllTextAsync(path))!.AsObject();
        json["rate_per_second"] = 0;
        await File.WriteAllTextAsync(path, json.ToJsonString());
        var e = Assert.Throws<InvalidDataException>(() => new BotStore(_data.Root).Load(DemoSetup.BotName));
        Assert.Contains(path, e.Message);
        Assert.Contains("rate_per_second", e.Message);
    }

    [Theory]
    [InlineData("--rate", "fast", "--rate must be requests per second")]
    [InlineData("--rate", "-1/s", "--rate must be requests per second")]
    [InlineData("--rate", "0/s", "out of range")]
    [InlineData("--rate", "1001/s", "out of range")]
    [InlineData("--rate", "NaN", "--rate must be requests per second")]
    [InlineData("--burst", "0", "out of range")]
    [InlineData("--burst", "10001", "out of range")]
    [InlineData("--burst", "1.5", "1.5")]
    public async Task A_bad_rate_or_burst_is_refused_and_no_bot_is_written(string flag, string value, string message)
    {
        var (code, _, error) = await AddBot("bad", flag, value);
        Assert.NotEqual(0, code);
        Assert.Contains(message, error);
        Assert.False(new BotStore(_data.Root).Exists("bad"));
    }

    [Fact]
    public async Task Credentials_add_stores_the_pocket_and_it_unseals()
    {
        var (code, output, error) = await CliHarness.Run(Secret, "credentials", "add", "sub", "--data-dir", _data.Root, "--access-key", "AK-sub", "--pocket", "sub1");
        Assert.True(code == 0, error);
        Assert.Contains("pocket sub1", output);
        var stored = new CredentialStore(_data.Root).TryGet("sub")!;
        Assert.Equal("sub1", stored.Metadata.Pocket);
        Assert.Contains("\"pocket\": \"sub1\"", await File.ReadAllTextAsync(Path.Combine(_data.CredentialsDir, "sub.sealed.json")));
        using (var token = SoftwareToken.Load(_data.SoftwareTokenFile))
        using (var secret = CredentialSealer.Unseal(stored, token))
            Assert.Equal(Secret, Encoding.UTF8.GetString(secret.Span));

        var list = await CliHarness.Run(null, "credentials", "list", "--data-dir", _data.Root);
        Assert.Contains("POCKET", list.Out);
        Assert.Matches(@"sub\s+AK-sub\s+sub1\s", list.Out);

        // Rotation keeps the pocket unless told otherwise.
        Assert.Equal(0, (await CliHarness.Run(Secret, "credentials", "rotate", "sub", "--data-dir", _data.Root)).Code);
        Assert.Equal("sub1", new CredentialStore(_data.Root).TryGet("sub")!.Metadata.Pocket);
        Assert.Equal(0, (await CliHarness.Run(Secret, "credentials", "rotate", "sub", "--data-dir", _data.Root, "--pocket", "main")).Code);
        Assert.Equal("main", new CredentialStore(_data.Root).TryGet("sub")!.Metadata.Pocket);
        Assert.DoesNotContain("pocket", await File.ReadAllTextAsync(Path.Combine(_data.CredentialsDir, "sub.sealed.json")));
    }

    [Fact]
    public async Task Without_a_pocket_a_credential_is_in_main_and_written_as_before()
    {
        var (code, output, error) = await CliHarness.Run(Secret, "credentials", "add", "plain", "--data-dir", _data.Root, "--access-key", "AK-plain");
        Assert.True(code == 0, error);
        Assert.Contains("pocket main", output);
        var json = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_data.CredentialsDir, "plain.sealed.json")))!.AsObject();
        // Signed (envelope v3), and still the main pocket's layout: no pocket field, associated data version 1.
        Assert.Equal(SealedCredential.SignedVersion, json["v"]!.GetValue<int>());
        Assert.False(json.ContainsKey("pocket"));
        Assert.Equal(1, new CredentialStore(_data.Root).TryGet("plain")!.Metadata.Version);
    }

    [Theory]
    [InlineData("Sub1")]
    [InlineData("-sub")]
    [InlineData("sub 1")]
    [InlineData("../main")]
    public async Task A_bad_pocket_is_refused_before_the_secret_is_read(string pocket)
    {
        var (code, _, error) = await CliHarness.Run(Secret, "credentials", "add", "bad", "--data-dir", _data.Root, "--access-key", "AK", "--pocket", pocket);
        Assert.NotEqual(0, code);
        Assert.Contains("is not a pocket name", error);
        Assert.False(new CredentialStore(_data.Root).Exists("bad"));
    }
}
