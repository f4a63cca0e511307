using Appliance.Provisioning;
using Appliance.Tests.FakeUpbit;
using Appliance.Tests.Support;

namespace Appliance.Tests.Cli;

/// <summary>
/// The README's promise, as processes: `appliance demo` starts, and `appliance sign` against it
/// prints a token that the stand-in exchange accepts.
/// </summary>
public sealed class DemoProcessTests
{
    private const string Secret = "process-test-secret-0123456789abcdefghijk";

    [Fact]
    public async Task Demo_sends_through_its_own_stand_in_exchange_offline()
    {
        using var dir = new TempDir();
        using var demo = await ApplianceProcess.StartDemoAsync(dir.Sub("data"), Secret, TimeSpan.FromSeconds(60));
        await demo.WaitForOutputAsync("Ctrl+C stops", TimeSpan.FromSeconds(10));
        Assert.Contains("SOFTWARE TOKEN", demo.Output);
        Assert.Contains("NOT UPBIT", demo.Output);
        Assert.Contains("sign --bundle", demo.Output);

        var bundle = Path.Combine(dir.Sub("data"), "bundles", DemoSetup.BotName);
        var (code, output) = await ApplianceProcess.RunAsync(
            ["sign", "--bundle", bundle, "--send", "GET", "/v1/orders/open", "market=KRW-BTC", "states[]=wait", "states[]=watch"]);
        Assert.True(code == 0, output);
        Assert.Contains("upbit: 200", output);
        Assert.Contains("remaining-req: group=default", output);
        Assert.DoesNotContain("Bearer", output); // the bot never sees a token

        (code, output) = await ApplianceProcess.RunAsync(["sign", "--bundle", bundle, "--send", "GET", "/v1/accounts"]);
        Assert.True(code == 0, output);
        Assert.Contains("\"currency\":\"KRW\"", output);
        Assert.DoesNotContain(Secret, demo.Output);
        Assert.DoesNotContain(Secret, output);
    }

    [Fact]
    public async Task Demo_with_an_upbit_url_sends_there_instead()
    {
        using var dir = new TempDir();
        await using var upbit = await FakeUpbitServer.StartAsync();
        upbit.AddKey(DemoSetup.AccessKey, Secret);
        using var demo = await ApplianceProcess.StartDemoAsync(dir.Sub("data"), Secret, TimeSpan.FromSeconds(60), upbit.BaseAddress);
        var bundle = Path.Combine(dir.Sub("data"), "bundles", DemoSetup.BotName);
        var (code, output) = await ApplianceProcess.RunAsync(["sign", "--bundle", bundle, "--send", "GET", "/v1/accounts"]);
        Assert.True(code == 0, output);
        Assert.Equal("/v1/accounts", Assert.Single(upbit.Accepted).Path);
        Assert.DoesNotContain("NOT UPBIT", demo.Output);
    }

    [Fact]
    public async Task Sign_refusal_prints_the_status_and_reason()
    {
        using var dir = new TempDir();
        using var demo = await ApplianceProcess.StartDemoAsync(dir.Sub("data"), Secret, TimeSpan.FromSeconds(60));

        var bundle = Path.Combine(dir.Sub("data"), "bundles", DemoSetup.BotName);
        var (code, output) = await ApplianceProcess.RunAsync(["sign", "--bundle", bundle, "--send", "GET", "/v1/orders/chance", "market=KRW-BTC&market=KRW-ETH"]);

        Assert.Equal(1, code);
        Assert.Contains("InvalidArgument BAD_PARAM_VALUE", output);
    }

    [Fact]
    public async Task Sign_with_a_missing_bundle_names_the_fix()
    {
        using var dir = new TempDir();
        var (code, output) = await ApplianceProcess.RunAsync(["sign", "--bundle", dir.Sub("nope"), "GET", "/v1/accounts"]);
        Assert.NotEqual(0, code);
        Assert.Contains("bots add", output);
    }
}
