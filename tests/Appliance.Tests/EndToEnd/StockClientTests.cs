using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Appliance.Provisioning;
using Appliance.Tests.FakeUpbit;

namespace Appliance.Tests.EndToEnd;

/// <summary>
/// Stock gRPC clients in other languages (Debian's python3-grpcio; Node's @grpc/grpc-js), which verify
/// the server name and connect with nothing but the bundle; the appliance sends their request to the
/// stand-in exchange and they get its answer. test.sh installs both (apt, and npm ci in examples/node);
/// without them these tests fail.
/// </summary>
public sealed class StockClientTests
{
    [Theory]
    [InlineData("python", "127.0.0.1")]
    [InlineData("python", "localhost")]
    [InlineData("node", "127.0.0.1")]
    [InlineData("node", "localhost")]
    public async Task Stock_client_bot_gets_the_exchanges_answer(string language, string host)
    {
        await using var appliance = await TestAppliance.StartAsync();

        var (code, output) = await RunExample(language, "--bundle", appliance.BundleDir, "--target", $"{host}:{appliance.Address.Port}",
            "POST", "/v1/orders", "market=KRW-BTC", "side=bid", "volume=0.01", "price=100000000", "ord_type=limit");
        Assert.True(code == 0, output);

        using var json = JsonDocument.Parse(output.Split('\n').First(l => l.StartsWith('{')));
        var root = json.RootElement;
        Assert.Equal(201, root.GetProperty("http_status").GetInt32());
        using var order = JsonDocument.Parse(root.GetProperty("body").GetString()!);
        Assert.Equal("KRW-BTC", order.RootElement.GetProperty("market").GetString());
        var sent = Assert.Single(appliance.Exchange.Accepted);
        Assert.Equal(("POST", "/v1/orders"), (sent.Method, sent.Path));
        Assert.DoesNotContain("authorization", output, StringComparison.OrdinalIgnoreCase); // no token reaches the bot
    }

    [Theory]
    [InlineData("python")]
    [InlineData("node")]
    public async Task Stock_client_bot_sees_the_refusal_status(string language)
    {
        await using var appliance = await TestAppliance.StartAsync();
        var (code, output) = await RunExample(language, "--bundle", appliance.BundleDir, "--target", $"127.0.0.1:{appliance.Address.Port}", "GET", "/v1/nope");
        Assert.Equal(1, code);
        Assert.Contains("INVALID_ARGUMENT", output);
    }

    private static async Task<(int, string)> RunExample(string language, params string[] args)
    {
        var (program, script) = language == "node"
            ? ("node", Path.Combine(RepoRoot(), "examples", "node", "send_grpc.js"))
            : ("/usr/bin/python3", Path.Combine(RepoRoot(), "examples", "python", "send_grpc.py"));
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(script);
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start; run ./test.sh, which installs it");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Appliance.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Appliance.sln not found above the test directory.");
    }
}
