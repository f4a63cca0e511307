using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Appliance.Provisioning;
using Appliance.Tests.FakeUpbit;

namespace Appliance.Tests.EndToEnd;

/// <summary>
/// A stock gRPC client in another language (Debian's python3-grpcio, which verifies the server name)
/// connects with nothing but the bundle, and its token is accepted by the stand-in exchange.
/// test.sh installs python3-grpcio and protobuf-compiler-grpc; without them this test fails.
/// </summary>
public sealed class PythonClientTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public async Task Python_grpcio_bot_gets_a_token_the_exchange_accepts(string host)
    {
        await using var appliance = await TestAppliance.StartAsync();
        await using var upbit = await FakeUpbitServer.StartAsync();
        upbit.AddKey(DemoSetup.AccessKey, TestAppliance.Secret);

        var (code, output) = await RunPython("--bundle", appliance.BundleDir, "--target", $"{host}:{appliance.Address.Port}",
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

    [Fact]
    public async Task Python_bot_sees_the_refusal_status()
    {
        await using var appliance = await TestAppliance.StartAsync();
        var (code, output) = await RunPython("--bundle", appliance.BundleDir, "--target", $"127.0.0.1:{appliance.Address.Port}", "GET", "/v1/nope");
        Assert.Equal(1, code);
        Assert.Contains("INVALID_ARGUMENT", output);
    }

    private static async Task<(int, string)> RunPython(params string[] args)
    {
        var script = Path.Combine(RepoRoot(), "examples", "python", "sign_request.py");
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(script);
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("python3 did not start; install python3-grpcio");
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
