using System.Diagnostics;
using Appliance.Common;
using Appliance.Token;
using Appliance.Devices.Tokens;

namespace Appliance.Provisioning;

/// <summary>
/// Makes the YubiKey's key pairs with yubico-piv-tool (ykcs11 cannot set PIN or touch policy):
/// P-256, PIN policy once, touch policy always for the withdraw slot (83) and the policy slot (84), never elsewhere, plus a
/// self-signed certificate per slot so ykcs11 lists the key. Secrets (management key, PIN) go to the
/// tool on stdin with its <c>--stdin-input</c> flag, never in argv. Without the tool or a management
/// key file it prints the exact commands (which prompt for the secrets) and stops.
/// </summary>
internal sealed class YubiKeyKeyMaker(TextWriter output, string? pivToolPath, string? managementKeyFile, string pinFile)
{
    public const string ToolName = "yubico-piv-tool";

    private enum Feed { ManagementKey, Pin }

    private sealed record Step(KeySlot Slot, string What, IReadOnlyList<string> Args, Feed Stdin, bool Touch);

    public void Make(IReadOnlyList<KeySlot> missing, string serial)
    {
        var slots = string.Join(", ", missing.Select(s => s.PivName()));
        output.WriteLine($"YubiKey {serial} has no key in slot(s) {slots}; they must be made with {ToolName} (ykcs11 cannot set PIN and touch policies).");
        var tool = pivToolPath ?? FindOnPath(ToolName);
        var reason = tool is null ? $"{ToolName} is not installed (apt-get install yubico-piv-tool)"
            : !File.Exists(tool) ? $"{tool} does not exist"
            : managementKeyFile is null ? "no --management-key-file was given"
            : !SupportsStdinInput(tool) ? $"{tool} has no --stdin-input (needs yubico-piv-tool 2.x), so secrets would have to go on the command line"
            : null;
        if (reason is not null)
        {
            PrintManualCommands(missing);
            throw new InvalidOperationException(
                $"Cannot make the YubiKey keys: {reason}. Run the {ToolName} commands printed above (generate, selfsign-certificate, " +
                $"import-certificate for slot(s) {slots}), or install {ToolName} and pass --management-key-file; then run 'appliance init' again.");
        }

        var work = Directory.CreateTempSubdirectory("appliance-init-");
        try
        {
            foreach (var step in Plan(missing, work.FullName, driven: true))
            {
                output.WriteLine(step.Touch
                    ? $"slot {step.Slot.PivName()}: {step.What} — TOUCH THE YUBIKEY when it blinks"
                    : $"slot {step.Slot.PivName()}: {step.What}");
                Run(tool!, step);
            }
        }
        finally
        {
            try { work.Delete(recursive: true); } catch (IOException) { }
        }
    }

    private void PrintManualCommands(IReadOnlyList<KeySlot> missing)
    {
        output.WriteLine($"Run these with only this YubiKey plugged in ({ToolName} asks for the management key and the PIN; touch the key when slot 83 or 84 blinks):");
        foreach (var step in Plan(missing, ".", driven: false))
            output.WriteLine("  " + ToolName + " " + string.Join(' ', step.Args));
    }

    private static IEnumerable<Step> Plan(IReadOnlyList<KeySlot> slots, string dir, bool driven)
    {
        string[] stdin = driven ? ["--stdin-input"] : [];
        foreach (var slot in slots)
        {
            var name = slot.PivName();
            var touch = slot.NeedsTouch() ? "always" : "never";
            var pub = Path.Combine(dir, $"appliance-{name}.pem");
            var cert = Path.Combine(dir, $"appliance-{name}.crt");
            if (dir == ".") { pub = $"appliance-{name}.pem"; cert = $"appliance-{name}.crt"; }
            yield return new Step(slot, $"generate P-256, pin-policy once, touch-policy {touch}",
                [.. stdin, "--key", "--action=generate", $"--slot={name}", "--algorithm=ECCP256", "--pin-policy=once", $"--touch-policy={touch}", $"--output={pub}"],
                Feed.ManagementKey, Touch: false);
            yield return new Step(slot, "self-signed certificate (so ykcs11 lists the key)",
                [.. stdin, "--action=verify-pin", "--action=selfsign-certificate", $"--slot={name}", $"--subject=/CN=appliance-{name}/", $"--input={pub}", $"--output={cert}"],
                Feed.Pin, Touch: slot.NeedsTouch());
            yield return new Step(slot, "import the certificate",
                [.. stdin, "--key", "--action=import-certificate", $"--slot={name}", $"--input={cert}"],
                Feed.ManagementKey, Touch: false);
        }
    }

    private void Run(string tool, Step step)
    {
        using var secret = step.Stdin == Feed.Pin
            ? TokenOpener.ReadPin(pinFile)
            : SecretFile.Read(managementKeyFile!, "management key");
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in step.Args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {tool}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var stream = process.StandardInput.BaseStream;
        stream.Write(secret.Span);
        stream.WriteByte((byte)'\n');
        stream.Flush();
        process.StandardInput.Close();
        // A touch wait inside the tool lasts ~15 s; anything far beyond that is a hung tool.
        if (!process.WaitForExit(TimeSpan.FromSeconds(step.Touch ? 60 : 30)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{ToolName} did not finish ({step.What}, slot {step.Slot.PivName()}); check the YubiKey and run init again.");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"{ToolName} failed ({step.What}, slot {step.Slot.PivName()}, exit {process.ExitCode}): {stderr.Result.Trim()} {stdout.Result.Trim()}".Trim());
    }

    private static bool SupportsStdinInput(string tool)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(tool, ["--stdin-input", "--help"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (process is null) return false;
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(10))) { process.Kill(); return false; }
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    internal static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
