using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Appliance.Common;
using Appliance.Token;
using Appliance.Devices.Tokens;

namespace Appliance.Tests.Devices.Tokens;

/// <summary>
/// A real SoftHSM2 for the whole test run: a temp directory with its own softhsm2.conf and two tokens,
/// "appliance-test" (keys generated in all three slots by <see cref="Pkcs11Token.GenerateKeyPair"/>)
/// and "appliance-empty" (no keys). SoftHSM keeps its state per process and reads SOFTHSM2_CONF only
/// when the module initializes, so every SoftHSM test must join <see cref="SoftHsmCollection"/>.
/// </summary>
public sealed class SoftHsmFixture : IDisposable
{
    public const string ModulePath = "/usr/lib/softhsm/libsofthsm2.so";
    public const string TestLabel = "appliance-test";
    public const string EmptyLabel = "appliance-empty";
    public const string UserPin = "123456";
    private const string SoPin = "12345678";
    private const string InstallHint = "install softhsm2 (apt-get install -y softhsm2)";

    private readonly DirectoryInfo _root;

    public SoftHsmFixture()
    {
        if (!File.Exists(ModulePath))
            throw new InvalidOperationException($"SoftHSM2 module missing at {ModulePath}: {InstallHint}.");
        var util = FindOnPath("softhsm2-util")
            ?? throw new InvalidOperationException($"softhsm2-util not found on PATH: {InstallHint}.");

        _root = Directory.CreateTempSubdirectory("appliance-softhsm-");
        var tokens = Directory.CreateDirectory(Path.Combine(_root.FullName, "tokens"));
        var conf = Path.Combine(_root.FullName, "softhsm2.conf");
        File.WriteAllText(conf, $"directories.tokendir = {tokens.FullName}\nobjectstore.backend = file\nlog.level = ERROR\n");
        SetProcessEnvironment("SOFTHSM2_CONF", conf);

        InitToken(util, conf, TestLabel);
        InitToken(util, conf, EmptyLabel);

        using var token = Open(label: TestLabel);
        TestSerial = token.Serial;
        GeneratedPoints = KeySlots.All.ToDictionary(slot => slot, token.GenerateKeyPair);
        using var empty = Open(label: EmptyLabel);
        EmptySerial = empty.Serial;
    }

    public string TestSerial { get; }

    public string EmptySerial { get; }

    /// <summary>What GenerateKeyPair returned for each slot of the "appliance-test" token.</summary>
    public IReadOnlyDictionary<KeySlot, byte[]> GeneratedPoints { get; }

    public static SecretBytes Pin(string pin) => SecretBytes.CopyFrom(Encoding.ASCII.GetBytes(pin));

    public static Pkcs11Token Open(string? label = TestLabel, string? serial = null, string pin = UserPin) =>
        Pkcs11Token.Open(new Pkcs11TokenOptions(ModulePath, label, serial, Pin(pin)));

    public void Dispose()
    {
        try { _root.Delete(recursive: true); }
        catch (IOException) { /* a temp dir; the OS cleans up eventually */ }
    }

    private static void InitToken(string util, string conf, string label)
    {
        // PINs in argv are acceptable only because this is a throwaway test token.
        var start = new ProcessStartInfo(util)
        {
            ArgumentList = { "--init-token", "--free", "--label", label, "--pin", UserPin, "--so-pin", SoPin },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["SOFTHSM2_CONF"] = conf },
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {util}: {InstallHint}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"softhsm2-util --init-token failed ({process.ExitCode}): {output.Result} {error}");
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    // Environment.SetEnvironmentVariable changes only .NET's own copy on Unix (child processes see it, the
    // native getenv inside libsofthsm2 does not), so set it in the C runtime's environment too.
    private static void SetProcessEnvironment(string name, string value)
    {
        Environment.SetEnvironmentVariable(name, value);
        if (NativeMethods.setenv(name, value, 1) != 0)
            throw new InvalidOperationException($"setenv({name}) failed: errno {Marshal.GetLastPInvokeError()}.");
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false)]
#pragma warning disable SYSLIB1054 // LibraryImport needs AllowUnsafeBlocks, which this test project does not set.
        public static extern int setenv(string name, string value, int overwrite);
#pragma warning restore SYSLIB1054
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SoftHsmCollection : ICollectionFixture<SoftHsmFixture>
{
    public const string Name = "SoftHSM2";
}
