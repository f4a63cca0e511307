using System.Security.Cryptography;
using Appliance.Config;
using Appliance.Provisioning;
using Appliance.Tests.Devices.Tokens;
using Appliance.Tests.Support;

namespace Appliance.Tests.Provisioning;

/// <summary>
/// `appliance demo` writes a software token.json and new credentials: it must never do that to a
/// data dir it did not make. Run as the real process on a dir `init` made with SoftHSM2.
/// </summary>
[Collection(SoftHsmCollection.Name)]
public sealed class DemoDataDirTests(SoftHsmFixture softHsm) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Demo_refuses_a_production_data_dir_and_touches_nothing_in_it()
    {
        Assert.NotEmpty(softHsm.TestSerial);
        var data = new DataDir(_dir.Sub("data"));
        var init = await InitSupport.Cli(null, "init", "--data-dir", data.Root, "--pkcs11-module", SoftHsmFixture.ModulePath,
            "--token-label", InitSupport.NewToken(), "--pin-file", InitSupport.PinFile(_dir.Path), "--listen", "127.0.0.1:0");
        Assert.True(init.Exit == 0, init.Error + init.Out);
        Assert.False(ApplianceConfig.Load(data.ConfigFile).Demo);
        var before = Snapshot(data.Root);

        var (code, output) = await ApplianceProcess.RunAsync(["demo", "--data-dir", data.Root, "--listen", "127.0.0.1:0"]);

        Assert.Equal(1, code);
        Assert.Contains($"{data.Root} was not made by 'appliance demo'", output);
        Assert.Contains("nothing was changed. Give demo a new or empty --data-dir", output);
        Assert.Equal(before, Snapshot(data.Root));
        Assert.False(File.Exists(data.SoftwareTokenFile));
    }

    [Fact]
    public async Task Demo_refuses_a_directory_of_other_files_but_makes_an_empty_one()
    {
        var other = _dir.Sub("home");
        Directory.CreateDirectory(other);
        await File.WriteAllTextAsync(Path.Combine(other, "notes.txt"), "mine");

        var (code, output) = await ApplianceProcess.RunAsync(["demo", "--data-dir", other, "--listen", "127.0.0.1:0"]);
        Assert.Equal(1, code);
        Assert.Contains("was not made by 'appliance demo'", output);
        Assert.Equal(["notes.txt"], Directory.EnumerateFileSystemEntries(other).Select(Path.GetFileName));

        var empty = new DataDir(_dir.Sub("empty"));
        Directory.CreateDirectory(empty.Root);
        DemoSetup.Ensure(empty, "127.0.0.1:0", TimeProvider.System, null);
        Assert.True(ApplianceConfig.Load(empty.ConfigFile).Demo); // the mark that lets demo run here again
        var again = DemoSetup.Ensure(empty, "127.0.0.1:0", TimeProvider.System, null);
        Assert.False(again.CreatedToken);
    }

    /// <summary>Every file under the dir with its SHA-256 and write time.</summary>
    private static List<string> Snapshot(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => $"{Path.GetRelativePath(root, f)} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))} {File.GetLastWriteTimeUtc(f):O}")
            .ToList();
}
