using System.CommandLine;
using Appliance.Config;
using Appliance.Provisioning;

namespace Appliance.Cli;

/// <summary><c>appliance recovery enroll|restore</c>: a second token that can take over when the primary is lost (docs/yubikey.md).</summary>
internal static class RecoveryCommand
{
    public static Command Build(CliIo io, TimeProvider time)
    {
        var recovery = new Command("recovery", "A recovery token: every credential sealed to it too, and moving a data dir to a new primary with it");
        recovery.Add(Enroll(io, time));
        recovery.Add(Restore(io, time));
        return recovery;
    }

    private static (Option<string> Module, Option<string?> Label, Option<string?> Serial, Option<string?> PinFile, Option<string?> ManagementKey, Option<string?> PivTool)
        TokenOptions(string prefix, string what)
    {
        var p = prefix.Length == 0 ? "--" : $"--{prefix}-";
        return (new Option<string>($"{p}pkcs11-module") { Description = $"PKCS#11 module of the {what} (YubiKey: libykcs11.so, SoftHSM2: libsofthsm2.so)", Required = prefix.Length == 0 },
            new Option<string?>($"{p}token-label") { Description = $"Label of the {what}" },
            new Option<string?>($"{p}token-serial") { Description = $"Serial of the {what}" },
            new Option<string?>($"{p}pin-file") { Description = $"File (mode 0600) holding the {what}'s PIN" },
            new Option<string?>($"{p}management-key-file") { Description = $"YubiKey: file (0600) holding the {what}'s PIV management key, to make its keys" },
            new Option<string?>($"{p}piv-tool") { Description = "YubiKey: path of yubico-piv-tool (default: found on PATH)" });
    }

    private static TokenInitRequest Request(ParseResult parse,
        (Option<string> Module, Option<string?> Label, Option<string?> Serial, Option<string?> PinFile, Option<string?> ManagementKey, Option<string?> PivTool) o,
        string? defaultModule = null) =>
        new(parse.GetValue(o.Module) ?? defaultModule ?? "", parse.GetValue(o.Label), parse.GetValue(o.Serial), parse.GetValue(o.PinFile))
        {
            ManagementKeyFile = parse.GetValue(o.ManagementKey),
            PivToolPath = parse.GetValue(o.PivTool),
        };

    private static Command Enroll(CliIo io, TimeProvider time)
    {
        var dataDir = CommonOptions.DataDir();
        var token = TokenOptions("", "recovery token");
        var command = new Command("enroll", "Record a second token (kept offline) as the recovery key; every credential is sealed to it too (stop the server first)")
        {
            dataDir, token.Module, token.Label, token.Serial, token.PinFile, token.ManagementKey, token.PivTool,
        };
        CommandAction.Set(command, io, async (parse, cancellationToken) =>
        {
            var data = CommonOptions.Open(parse, dataDir);
            var result = await new RecoveryEnrollment(data, time, io.Out).RunAsync(Request(parse, token), cancellationToken);
            io.Out.WriteLine($"recovery token {result.Recovery.Serial} enrolled; {result.Resealed.Count} credential(s) sealed to it too and signed again");
            io.Out.WriteLine($"  recovery audit key {RecoveryRestore.Fingerprint(result.Recovery.PublicKey(Token.KeySlot.Audit))} (SHA-256 of the public point): write it down with the token's serial");
            io.Out.WriteLine("now unplug it and keep it offline, away from the appliance (docs/yubikey.md, \"The recovery key\")");
            return 0;
        });
        return command;
    }

    private static Command Restore(CliIo io, TimeProvider time)
    {
        var dataDir = CommonOptions.DataDir();
        var primary = TokenOptions("", "new primary token");
        var recovery = TokenOptions("recovery", "recovery token");
        var command = new Command("restore", "Move a data dir to a new primary token with the recovery token: re-seal, re-pin, sign again, record it in the audit log")
        {
            dataDir, primary.Module, primary.Label, primary.Serial, primary.PinFile, primary.ManagementKey, primary.PivTool,
            recovery.Module, recovery.Label, recovery.Serial, recovery.PinFile,
        };
        CommandAction.Set(command, io, async (parse, cancellationToken) =>
        {
            var data = CommonOptions.Open(parse, dataDir);
            var result = await new RecoveryRestore(data, time, io.Out).RunAsync(Request(parse, primary),
                Request(parse, recovery, defaultModule: parse.GetValue(primary.Module)), cancellationToken);
            io.Out.WriteLine($"{data.Root} now bound to token {result.Primary.Serial}; {result.Moved.Count} credential(s) moved, every record signed again");
            foreach (var name in result.Lost)
                io.Out.WriteLine($"  LOST: credential {name} had no recovery copy; issue a new Upbit key and run 'appliance credentials rotate {name}'");
            io.Out.WriteLine($"  new audit key {result.AuditKeyFingerprint} (SHA-256 of the public point): write it down; 'audit verify' follows the move");
            io.Out.WriteLine("revoke the lost token's access at Upbit if it could be misused, and keep the recovery token offline again");
            return 0;
        });
        return command;
    }
}
