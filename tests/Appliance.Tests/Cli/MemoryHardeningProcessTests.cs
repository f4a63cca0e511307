using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Appliance.Client;
using Appliance.Common;
using Appliance.Config;
using Appliance.Provisioning;
using Appliance.Tests.FakeUpbit;
using Appliance.Tests.Support;

namespace Appliance.Tests.Cli;

/// <summary>
/// The real `appliance` process: it makes itself non-dumpable at start and holds its secrets in
/// locked pages (as `appliance status` reports from prctl and /proc/self/status); where mlock is
/// not allowed it warns once and signs all the same.
/// </summary>
public sealed partial class MemoryHardeningProcessTests
{
    private const string Secret = "memory-test-secret-0123456789abcdefghijk";

    [Fact]
    public async Task The_server_is_not_dumpable_and_its_secrets_are_locked()
    {
        if (!OperatingSystem.IsLinux()) Assert.Skip("prctl and mlock are Linux calls.");
        using var dir = new TempDir();
        using var demo = await ApplianceProcess.StartDemoAsync(dir.Sub("data"), Secret, TimeSpan.FromSeconds(60));
        await demo.WaitForOutputAsync("Ctrl+C stops", TimeSpan.FromSeconds(10));

        var (code, output) = await ApplianceProcess.RunAsync(["status", "--data-dir", dir.Sub("data")]);

        Assert.True(code == 0, output);
        var memory = MemoryLine().Match(output);
        Assert.True(memory.Success, output);
        Assert.Equal("off", memory.Groups["dumps"].Value);
        // Two unsealed demo credentials, a page each (the probe and the PIN are gone by now).
        var lockedKb = int.Parse(memory.Groups["kb"].Value);
        Assert.True(lockedKb >= 2 * Environment.SystemPageSize / 1024, output);
        Assert.DoesNotContain("warning: secrets cannot be locked", demo.Output);
    }

    [Fact]
    public async Task Without_the_right_to_lock_it_warns_once_and_still_signs()
    {
        if (!OperatingSystem.IsLinux()) Assert.Skip("mlock is a Linux call.");
        var prlimit = Which("prlimit");
        var setpriv = Which("setpriv");
        if (prlimit is null || setpriv is null) Assert.Skip("needs prlimit and setpriv (util-linux) to start the appliance without the right to lock memory.");
        using var dir = new TempDir();
        await using var upbit = await FakeUpbitServer.StartAsync();
        upbit.AddKey(DemoSetup.AccessKey, Secret);
        // RLIMIT_MEMLOCK 0, and no CAP_IPC_LOCK (root would otherwise ignore the limit).
        string[] wrapper = LockedMemory.HasIpcLockCapability()
            ? [prlimit, "--memlock=0:0", setpriv, "--bounding-set=-ipc_lock", "--inh-caps=-ipc_lock"]
            : [prlimit, "--memlock=0:0"];

        using var demo = await ApplianceProcess.StartDemoAsync(dir.Sub("data"), Secret, TimeSpan.FromSeconds(60), upbit.BaseAddress, wrapper);
        await demo.WaitForOutputAsync("Ctrl+C stops", TimeSpan.FromSeconds(10));

        var warnings = demo.Output.Split('\n').Where(l => l.StartsWith("warning: secrets cannot be locked in RAM", StringComparison.Ordinal)).ToList();
        var warning = Assert.Single(warnings);
        Assert.Contains("RLIMIT_MEMLOCK is 0 KiB", warning);
        Assert.Contains("set LimitMEMLOCK=", warning);
        Assert.Contains("turn swap off", warning);

        // Signs with the secret from its unlocked page: the stand-in exchange accepts the request it sends.
        using var client = new ApplianceClient(ApplianceBundle.Load(DemoSetup.BundleDir(new DataDir(dir.Sub("data")))), TimeProvider.System, demo.Address);
        Assert.Equal(200, (await client.SendAsync("GET", "/v1/accounts", [])).HttpStatus);
        Assert.Equal(DemoSetup.AccessKey, Assert.Single(upbit.Accepted).AccessKey);

        var status = await ApplianceProcess.RunAsync(["status", "--data-dir", dir.Sub("data")]);
        Assert.Contains("memory: 0 KiB locked in RAM; core dumps off", status.Output);
    }

    private static string? Which(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':')
            .Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);

    [GeneratedRegex(@"memory: (?<kb>\d+) KiB locked in RAM; core dumps (?<dumps>\w+)")]
    private static partial Regex MemoryLine();
}
