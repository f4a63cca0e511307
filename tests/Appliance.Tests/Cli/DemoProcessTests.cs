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
    public async Task Demo_then_sign_gives_a_token_the_exchange_accepts()
    {
        using var dir = new TempDir();
        await using var upbit = await FakeUpbitServer.StartAsync();
        upbit.AddKey(DemoSetup.AccessKey, Secret);

        using var demo = await ApplianceProcess.StartDemoAsync(dir.Sub("data"), Secret, TimeSpan.FromSeconds(60));
        await demo.WaitForOutputAsync("Ctrl+C stops", TimeSpan.FromSeconds(10));
        Assert.Contains("SOFTWARE TOKEN", demo.Output);
        Assert.Contains("sign --bundle", demo.Output);

        var bundle = Path.Combine(dir.Sub("data"), "bundles", DemoSetup.BotName);
        var (code, output) = await ApplianceProcess.RunAsync(
            ["sign", "--bundle", bundle, "--upbit", upbit.BaseAddress.ToString(), "--send",
             "GET", "/v1/orders/open", "market=KRW-BTC", "states[]=wait", "states[]=watch"]);

        Assert.True(code == 0, output);
        Assert.Contains("authorization: Bearer ", output);
        Assert.Contains("response: 200", output);
        var accepted = Assert.Single(upbit.Accepted);
        Assert.Equal("/v1/orders/open", accepted.Path);
        Assert.DoesNotContain(Secret, demo.Output);
        Assert.DoesNotContain(Secret, output);
    }

    [Fact]
    public async Task Sign_refusal_prints_the_status_and_reason()
    {
        using var dir = new TempDir();
        using var demo = await ApplianceProcess.StartDemoAsync(dir.Sub("data"), Secret, TimeSpan.FromSeconds(60));

        var bundle = Path.Combine(dir.Sub("data"), "bundles", DemoSetup.BotName);
        var (code, output) = await ApplianceProcess.RunAsync(["sign", "--bundle", bundle, "GET", "/v1/orders/chance", "market=KRW-BTC&market=KRW-ETH"]);

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
