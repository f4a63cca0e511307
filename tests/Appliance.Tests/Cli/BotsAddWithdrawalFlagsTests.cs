using System.Text.Json;
using Appliance.Cli;
using Appliance.Config;
using Appliance.Policy;
using Appliance.Provisioning;
using Appliance.Tests.Support;

namespace Appliance.Tests.Cli;

/// <summary><c>bots add --withdraw-address/--withdraw-cap</c>: what is stored, and bad input refused before anything is written.</summary>
public sealed class BotsAddWithdrawalFlagsTests : IDisposable
{
    private const string Btc = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";

    private readonly TempDir _dir = new();
    private readonly DataDir _data;

    public BotsAddWithdrawalFlagsTests()
    {
        _data = new DataDir(_dir.Sub("data"));
        DemoSetup.Ensure(_data, "127.0.0.1:0", TimeProvider.System, null);
    }

    public void Dispose() => _dir.Dispose();

    private async Task<(int Code, string Out, string Error)> AddBot(params string[] flags)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string[] args = ["bots", "add", "payout", "--data-dir", _data.Root, "--credential", DemoSetup.CredentialName, "--out", _dir.Sub("bundle"), .. flags];
        var code = await new CliApp(new CliIo(TextReader.Null, output, error, false), TimeProvider.System).RunAsync(args);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Addresses_and_caps_are_stored_in_the_profile()
    {
        var (code, output, error) = await AddBot("--scopes", "withdraw,view-withdrawals",
            "--withdraw-address", $"btc:btc:{Btc}", "--withdraw-address", "XRP:XRP:rLNaPoKeeBjZe2qs6x52yVPZpZ8td4dc6w:123456",
            "--withdraw-cap", "BTC:0.1:0.5", "--withdraw-cap", "krw::5000000");

        Assert.True(code == 0, error);
        Assert.Contains($"may withdraw to BTC:BTC:{Btc}", output);
        var profile = new BotStore(_data.Root).Load("payout");
        Assert.Equal([new WithdrawalAddress("BTC", "BTC", Btc), new WithdrawalAddress("XRP", "XRP", "rLNaPoKeeBjZe2qs6x52yVPZpZ8td4dc6w", "123456")],
            profile.WithdrawAddresses.Select(a => a with { Added = null }));
        // Each address is stamped with when it was added (its cooling-off runs from then), within this test's run.
        Assert.All(profile.WithdrawAddresses, a => Assert.InRange(a.Added!.Value, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow));
        Assert.Equal([new WithdrawalCap("BTC", 0.1m, 0.5m), new WithdrawalCap("KRW", null, 5000000m)], profile.WithdrawCaps);

        var json = await File.ReadAllTextAsync(Path.Combine(_data.BotsDir, "payout.json"));
        using var doc = JsonDocument.Parse(json);
        Assert.Equal("123456", doc.RootElement.GetProperty("withdraw_addresses")[1].GetProperty("secondary_address").GetString());
        Assert.Equal(0.5m, doc.RootElement.GetProperty("withdraw_caps")[0].GetProperty("per_24h").GetDecimal());
    }

    [Theory]
    [InlineData("--withdraw-address", "BTC:BTC", "CURRENCY:NET_TYPE:ADDRESS")]
    [InlineData("--withdraw-address", "BTC:BTC:a:b:c", "CURRENCY:NET_TYPE:ADDRESS")]
    [InlineData("--withdraw-address", "BTC:BTC:", "1 to 128 characters")]
    [InlineData("--withdraw-address", "BTC:BTC:bc1q/../x", "1 to 128 characters")]
    [InlineData("--withdraw-address", "BTC:BTC:bc1q,x", "1 to 128 characters")]
    [InlineData("--withdraw-address", "BTC:BTC:abc:", "secondary address")]
    [InlineData("--withdraw-address", "B-TC:BTC:abc", "not a currency code")]
    [InlineData("--withdraw-address", "BTC:B TC:abc", "not an Upbit net_type")]
    [InlineData("--withdraw-address", "KRW:KRW:123-456", "bank account registered at Upbit")]
    [InlineData("--withdraw-cap", "BTC:0.1", "CURRENCY:PER_WITHDRAWAL:PER_24H")]
    [InlineData("--withdraw-cap", "BTC::", "a per-withdrawal cap, a 24 h cap, or both")]
    [InlineData("--withdraw-cap", "BTC:-1:2", "not a plain amount")]
    [InlineData("--withdraw-cap", "BTC:1e3:", "not a plain amount")]
    [InlineData("--withdraw-cap", "BTC:abc:", "not a plain amount")]
    [InlineData("--withdraw-cap", "BTC:0:1", "positive")]
    [InlineData("--withdraw-cap", "BTC:2:1", "above the 24 h cap")]
    public async Task Bad_flag_is_refused_and_no_bot_is_written(string flag, string value, string message)
    {
        var (code, _, error) = await AddBot("--scopes", "withdraw", flag, value);

        Assert.Equal(2, code);
        Assert.Contains(message, error);
        Assert.False(new BotStore(_data.Root).Exists("payout"));
    }

    [Fact]
    public async Task Withdrawal_rules_need_the_withdraw_scope()
    {
        var (code, _, error) = await AddBot("--scopes", "trade", "--withdraw-address", $"BTC:BTC:{Btc}");
        Assert.Equal(2, code);
        Assert.Contains("need the scope 'withdraw'", error);
        Assert.False(new BotStore(_data.Root).Exists("payout"));
    }

    [Fact]
    public async Task Same_cap_currency_twice_is_refused()
    {
        var (code, _, error) = await AddBot("--scopes", "withdraw", "--withdraw-cap", "BTC:0.1:", "--withdraw-cap", "btc::1");
        Assert.Equal(2, code);
        Assert.Contains("given twice for BTC", error);
    }

    [Fact]
    public async Task Same_address_twice_is_refused()
    {
        var (code, _, error) = await AddBot("--scopes", "withdraw", "--withdraw-address", $"BTC:BTC:{Btc}", "--withdraw-address", $"btc:BTC:{Btc}");
        Assert.Equal(2, code);
        Assert.Contains("same destination twice", error);
    }

    [Fact]
    public void Profile_without_withdrawal_fields_still_loads()
    {
        // Profiles written before withdrawal rules existed have neither field: no destinations, no caps.
        const string json = """
            {"name":"old","thumbprint":"00","credential":"demo","scopes":["trade"],"allow_ip":["127.0.0.0/8"]}
            """;
        File.WriteAllText(Path.Combine(_data.BotsDir, "old.json"), json);
        var profile = new BotStore(_data.Root).Load("old");
        Assert.Empty(profile.WithdrawAddresses);
        Assert.Empty(profile.WithdrawCaps);
    }
}
