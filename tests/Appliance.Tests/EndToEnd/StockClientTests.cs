using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Appliance.Provisioning;
using Appliance.Tests.FakeUpbit;

namespace Appliance.Tests.EndToEnd;

/// <summary>
/// Stock gRPC clients in other languages (Debian's python3-grpcio; Node's @grpc/grpc-js), which verify
/// the server name, connect with nothing but the bundle, and their tokens are accepted by the stand-in
/// exchange. test.sh installs both (apt, and npm ci in examples/node); without them these tests fail.
/// </summary>
public sealed class StockClientTests
{
    [Theory]
    [InlineData("python", "127.0.0.1")]
    [InlineData("python", "localhost")]
    [InlineData("node", "127.0.0.1")]
    [InlineData("node", "localhost")]
    public async Task Stock_client_bot_gets_a_token_the_exchange_accepts(string language, string host)
    {
        await using var appliance = await TestAppliance.StartAsync();
        await using var upbit = await FakeUpbitServer.StartAsync();
        upbit.AddKey(DemoSetup.AccessKey, TestAppliance.Secret);

        var (code, output) = await RunExample(language, "--bundle", appliance.BundleDir, "--target", $"{host}:{appliance.Address.Port}",
            "POST", "/v1/orders", "market=KRW-BTC", "side=bid", "volume=0.01", "price=100000000", "ord_type=limit");
        Assert.True(code == 0, output);

        using var json = JsonDocument.Parse(output.Split('\n').First(l => l.StartsWith('{')));
        var root = json.RootElement;
        using var http = new HttpClient { BaseAddress = upbit.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/orders")
        {
            Content = new StringContent(root.GetProperty("body_json").GetString()!, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = AuthenticationHeaderValue.Parse(root.GetProperty("authorization").GetString()!);
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
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
            ? ("node", Path.Combine(RepoRoot(), "examples", "node", "sign_request.js"))
            : ("/usr/bin/python3", Path.Combine(RepoRoot(), "examples", "python", "sign_request.py"));
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
