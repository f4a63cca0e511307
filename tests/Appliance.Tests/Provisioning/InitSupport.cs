using System.Diagnostics;
using Appliance.Cli;
using Appliance.Tests.Devices.Tokens;

namespace Appliance.Tests.Provisioning;

/// <summary>Fresh SoftHSM2 tokens (in the SoftHSM fixture's token directory) and the CLI run in-process.</summary>
internal static class InitSupport
{
    public const string Pin = SoftHsmFixture.UserPin;

    /// <summary>A new, empty token with a unique label; the fixture has set SOFTHSM2_CONF for this process and its children.</summary>
    public static string NewToken()
    {
        var label = "init-" + Guid.NewGuid().ToString("N")[..12];
        var start = new ProcessStartInfo("softhsm2-util")
        {
            // PINs in argv are acceptable only for a throwaway test token.
            ArgumentList = { "--init-token", "--free", "--label", label, "--pin", Pin, "--so-pin", "12345678" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"softhsm2-util failed: {output.Result} {error}");
        return label;
    }

    public static string PinFile(string dir, string pin = Pin)
    {
        var path = Path.Combine(dir, "pin");
        File.WriteAllText(path, pin + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    public sealed record Run(int Exit, string Out, string Error);

    public static async Task<Run> Cli(string? stdin, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var io = new CliIo(new StringReader(stdin ?? ""), output, error, InputIsTerminal: false);
        var exit = await new CliApp(io, TimeProvider.System).RunAsync(args);
        return new Run(exit, output.ToString(), error.ToString());
    }
}
