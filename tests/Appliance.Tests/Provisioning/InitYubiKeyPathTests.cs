using Appliance.Config;
using Appliance.Tests.Support;
using Appliance.Tests.Devices.Tokens;

namespace Appliance.Tests.Provisioning;

/// <summary>
/// The YubiKey branch of init (module path containing "ykcs11"), run against SoftHSM2 behind a
/// symlink named like ykcs11, with a stand-in yubico-piv-tool script that records its argv and stdin
/// and makes the keys in SoftHSM (openssl + softhsm2-util --import). Checks the commands, the
/// policies, and that the PIN and management key travel on stdin only.
/// </summary>
[Collection(SoftHsmCollection.Name)]
public sealed class InitYubiKeyPathTests : IDisposable
{
    private const string ManagementKey = "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071";
    private readonly TempDir _dir = new();
    private readonly string _module;
    private readonly string _label = InitSupport.NewToken();
    private readonly string _pinFile;

    public InitYubiKeyPathTests(SoftHsmFixture softHsm)
    {
        Assert.NotEmpty(softHsm.TestSerial);
        _module = _dir.Sub("libykcs11-softhsm.so");
        File.CreateSymbolicLink(_module, SoftHsmFixture.ModulePath);
        _pinFile = InitSupport.PinFile(_dir.Path);
    }

    public void Dispose() => _dir.Dispose();

    private string DataDir => _dir.Sub("data");

    private Task<InitSupport.Run> Init(params string[] more) =>
        InitSupport.Cli(null, ["init", "--data-dir", DataDir, "--pkcs11-module", _module, "--token-label", _label, "--pin-file", _pinFile, .. more]);

    [Fact]
    public async Task Without_yubico_piv_tool_it_prints_the_exact_commands_and_stops()
    {
        var run = await Init("--piv-tool", _dir.Sub("no-such-yubico-piv-tool"));

        Assert.Equal(1, run.Exit);
        Assert.Contains("run the yubico-piv-tool commands printed above", run.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("slot(s) 9a, 9d, 83, 84", run.Error);
        var commands = run.Out.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("yubico-piv-tool ")).ToList();
        Assert.Equal(12, commands.Count);
        Assert.Contains("yubico-piv-tool --key --action=generate --slot=84 --algorithm=ECCP256 --pin-policy=once --touch-policy=always --output=appliance-84.pem", commands);
        Assert.Contains("yubico-piv-tool --key --action=generate --slot=83 --algorithm=ECCP256 --pin-policy=once --touch-policy=always --output=appliance-83.pem", commands);
        Assert.Contains("yubico-piv-tool --key --action=generate --slot=9d --algorithm=ECCP256 --pin-policy=once --touch-policy=never --output=appliance-9d.pem", commands);
        Assert.Contains("yubico-piv-tool --key --action=import-certificate --slot=83 --input=appliance-83.crt", commands);
        Assert.All(commands, c => Assert.DoesNotMatch("--key=|--pin=|-P |--stdin-input", c)); // the tool prompts for secrets
        Assert.False(Directory.Exists(DataDir));
    }

    [Fact]
    public async Task Without_a_management_key_file_it_prints_the_commands_too()
    {
        var run = await Init("--piv-tool", WriteFakeTool());
        Assert.Equal(1, run.Exit);
        Assert.Contains("no --management-key-file", run.Error);
        Assert.Contains("--touch-policy=always", run.Out);
        Assert.False(File.Exists(_dir.Sub("calls.log"))); // never ran it
    }

    [Fact]
    public async Task With_the_tool_it_makes_the_keys_feeding_secrets_on_stdin_only()
    {
        var keyFile = _dir.Sub("mgm.key");
        File.WriteAllText(keyFile, ManagementKey + "\n");

        var run = await Init("--piv-tool", WriteFakeTool(), "--management-key-file", keyFile);

        Assert.True(run.Exit == 0, run.Error + run.Out);
        Assert.Contains("slot 83: self-signed certificate (so ykcs11 lists the key) — TOUCH THE YUBIKEY", run.Out);
        var log = File.ReadAllLines(_dir.Sub("calls.log"));
        var calls = log.Where(l => l.StartsWith("ARGS ")).ToList();
        var stdin = log.Where(l => l.StartsWith("STDIN ")).Select(l => l["STDIN ".Length..]).ToList();
        Assert.Equal(12, calls.Count);
        Assert.Contains(calls, c => c.Contains("--action=generate --slot=84") && c.Contains("--pin-policy=once --touch-policy=always"));
        Assert.All(calls, c => Assert.StartsWith("ARGS --stdin-input ", c));
        Assert.All(calls, c => Assert.DoesNotContain(ManagementKey, c));
        Assert.All(calls, c => Assert.DoesNotContain(InitSupport.Pin, c));
        Assert.Contains(calls, c => c.Contains("--action=generate --slot=83") && c.Contains("--pin-policy=once --touch-policy=always"));
        Assert.Contains(calls, c => c.Contains("--action=generate --slot=9d") && c.Contains("--pin-policy=once --touch-policy=never"));
        Assert.Contains(calls, c => c.Contains("--action=generate --slot=9a") && c.Contains("--touch-policy=never"));
        for (var i = 0; i < calls.Count; i++)
            Assert.Equal(calls[i].Contains("--action=verify-pin") ? InitSupport.Pin : ManagementKey, stdin[i]);

        var pinned = TokenDescriptor.Load(Path.Combine(DataDir, "token.json"));
        Assert.Equal(4, pinned.PublicKeys.Count);
        Assert.Equal(_module, pinned.Module);
    }

    /// <summary>A yubico-piv-tool stand-in: logs argv and the stdin line; "generate" imports a fresh P-256 key into SoftHSM.</summary>
    private string WriteFakeTool()
    {
        var path = _dir.Sub("yubico-piv-tool");
        var log = _dir.Sub("calls.log");
        File.WriteAllText(path, $$"""
            #!/bin/sh
            if [ "$1" = "--stdin-input" ] && [ "$2" = "--help" ]; then exit 0; fi
            IFS= read -r line || true
            echo "ARGS $*" >> '{{log}}'
            echo "STDIN $line" >> '{{log}}'
            case "$*" in
              *--action=generate*)
                slot=$(printf '%s\n' "$@" | sed -n 's/^--slot=//p')
                case "$slot" in 9a) id=01;; 9d) id=03;; 83) id=06;; 84) id=07;; *) exit 3;; esac
                key=$(mktemp)
                openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out "$key" || exit 4
                softhsm2-util --import "$key" --token '{{_label}}' --label "appliance-$slot" --id "$id" --pin {{InitSupport.Pin}} >/dev/null || exit 5
                rm -f "$key"
                ;;
            esac
            exit 0
            """.Replace("\r", ""));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
