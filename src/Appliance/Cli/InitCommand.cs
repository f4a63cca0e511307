using System.CommandLine;
using Appliance.Config;
using Appliance.Provisioning;
using Appliance.Token;

namespace Appliance.Cli;

/// <summary><c>appliance init</c>: bind a data dir to a PKCS#11 token (YubiKey through ykcs11, or SoftHSM2).</summary>
internal static class InitCommand
{
    public static Command Build(CliIo io, TimeProvider time)
    {
        var dataDir = CommonOptions.DataDir();
        var module = new Option<string>("--pkcs11-module") { Description = "PKCS#11 module: /usr/lib/<arch>/libykcs11.so (YubiKey) or /usr/lib/softhsm/libsofthsm2.so", Required = true };
        var label = new Option<string?>("--token-label") { Description = "Token label (YubiKey: \"YubiKey PIV #SERIAL\")" };
        var serial = new Option<string?>("--token-serial") { Description = "Token serial number" };
        var pinFile = new Option<string?>("--pin-file") { Description = "File (mode 0600) holding the token PIN; recorded in appliance.json for serve" };
        var listen = new Option<string?>("--listen") { Description = "HOST:PORT the server listens on (default 127.0.0.1:50051)" };
        var force = new Option<bool>("--force") { Description = "Re-pin over an existing token.json (credentials sealed to other keys become unusable)" };
        var managementKey = new Option<string?>("--management-key-file") { Description = "YubiKey: file (0600) holding the PIV management key, so init can run yubico-piv-tool" };
        var pivTool = new Option<string?>("--piv-tool") { Description = "YubiKey: path of yubico-piv-tool (default: found on PATH)" };
        var recoveryLabel = new Option<string?>("--recovery-token-label") { Description = "Also enroll this second token (same PKCS#11 module) as the recovery key" };
        var recoverySerial = new Option<string?>("--recovery-token-serial") { Description = "Also enroll the token with this serial as the recovery key" };
        var recoveryPin = new Option<string?>("--recovery-pin-file") { Description = "File (mode 0600) holding the recovery token's PIN" };
        var recoveryKey = new Option<string?>("--recovery-management-key-file") { Description = "YubiKey: the recovery token's PIV management key file" };
        var command = new Command("init", "Bind a data dir to a hardware token: key pairs, CA, token.json")
        {
            dataDir, module, label, serial, pinFile, listen, force, managementKey, pivTool, recoveryLabel, recoverySerial, recoveryPin, recoveryKey,
        };
        CommandAction.Set(command, io, parse =>
        {
            var data = new DataDir(parse.GetValue(dataDir)!);
            var request = new TokenInitRequest(parse.GetValue(module)!, parse.GetValue(label), parse.GetValue(serial), parse.GetValue(pinFile))
            {
                Listen = parse.GetValue(listen),
                Force = parse.GetValue(force),
                ManagementKeyFile = parse.GetValue(managementKey),
                PivToolPath = parse.GetValue(pivTool),
            };
            var result = new TokenInit(data, time, io.Out).Run(request);
            io.Out.WriteLine($"bound {data.Root} to token serial {result.Token.Serial} ({result.Token.Label})");
            foreach (var (slot, key) in result.Token.PublicKeys.OrderBy(k => k.Key, StringComparer.Ordinal))
                io.Out.WriteLine($"  slot {slot}: {Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Convert.FromBase64String(key)))[..16]} (SHA-256 of the public point)");
            var auditKey = Convert.FromBase64String(result.Token.PublicKeys[KeySlot.Audit.PivName()]);
            io.Out.WriteLine("audit key fingerprint: write it down, away from this appliance; 'appliance audit verify --key' checks the log against it:");
            io.Out.WriteLine($"  {Audit.AuditKeyFingerprint.Of(auditKey)}");
            if (parse.GetValue(recoveryLabel) is not null || parse.GetValue(recoverySerial) is not null)
            {
                var enrolled = new RecoveryEnrollment(data, time, io.Out).Run(new TokenInitRequest(parse.GetValue(module)!,
                    parse.GetValue(recoveryLabel), parse.GetValue(recoverySerial), parse.GetValue(recoveryPin))
                {
                    ManagementKeyFile = parse.GetValue(recoveryKey),
                    PivToolPath = parse.GetValue(pivTool),
                });
                io.Out.WriteLine($"  recovery token {enrolled.Recovery.Serial} enrolled: every credential is sealed to it too; keep it offline (docs/yubikey.md)");
            }
            foreach (var name in result.UnusableCredentials)
                io.Out.WriteLine($"  WARNING: credential {name} was sealed to other keys and can no longer be unsealed; run 'appliance credentials rotate {name}'");
            if (result.Unsigned.Count > 0)
                io.Out.WriteLine($"  WARNING: {string.Join(", ", result.Unsigned)} are not signed by this token's policy key; check them, then run 'appliance policy sign-all --data-dir {data.Root}'");
            io.Out.WriteLine("next: appliance credentials add NAME --access-key AK   (secret on stdin)");
            io.Out.WriteLine("      appliance bots add NAME --credential NAME --scopes view-assets,trade");
            io.Out.WriteLine($"      appliance serve --data-dir {data.Root}");
            return 0;
        });
        return command;
    }
}
