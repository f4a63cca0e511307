using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Appliance.Tests.EndToEnd;
using Appliance.Tests.Support;
using Appliance.Tests.Provisioning;

namespace Appliance.Tests.Image;

/// <summary>The image's appliance.service is a unit systemd accepts, and a hardened one (test.sh installs systemd-analyze; image/check.sh checks the same).</summary>
public sealed partial class SystemdUnitTests
{
    private static string Unit => Path.Combine(StockClientTests.RepoRoot(), "image", "rootfs-overlay", "etc", "systemd", "system", "appliance.service");

    [Fact]
    public async Task Unit_verifies_without_warnings()
    {
        using var dir = new TempDir();
        // systemd-analyze checks that ExecStart exists: point it at a real program for the check.
        var text = File.ReadAllText(Unit).Replace("ExecStart=/opt/appliance/appliance", "ExecStart=/bin/true", StringComparison.Ordinal);
        var copy = Path.Combine(dir.Path, "appliance.service");
        File.WriteAllText(copy, text);
        var (code, output) = await Run("verify", copy);
        Assert.True(code == 0 && output.Trim().Length == 0, output);
    }

    [Fact]
    public async Task Unit_is_hardened()
    {
        var (_, output) = await Run("security", "--offline=true", Unit);
        var match = ExposurePattern().Match(output);
        Assert.True(match.Success, output);
        var exposure = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(exposure <= 1.5, $"exposure {exposure}: {output[^Math.Min(output.Length, 400)..]}");
    }

    [GeneratedRegex(@"Overall exposure level for \S+: (\d+\.\d+)")]
    private static partial Regex ExposurePattern();

    private static async Task<(int, string)> Run(params string[] args)
    {
        var info = new ProcessStartInfo("systemd-analyze") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("systemd-analyze did not start; run ./test.sh, which installs it");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
