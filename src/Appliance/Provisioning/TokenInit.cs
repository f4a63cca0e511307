using Appliance.Common;
using Appliance.Config;
using Appliance.Pki;
using Appliance.Sealing;
using Appliance.Token;
using Appliance.Devices.Tokens;

namespace Appliance.Provisioning;

/// <summary>What the operator asks for in <c>appliance init</c>.</summary>
/// <param name="PinFile">File holding the token PIN; never argv.</param>
public sealed record TokenInitRequest(string ModulePath, string? TokenLabel, string? TokenSerial, string? PinFile)
{
    public string? Listen { get; init; }

    /// <summary>Re-pin over an existing token.json.</summary>
    public bool Force { get; init; }

    /// <summary>YubiKey only: file holding the PIV management key (hex), so init can drive yubico-piv-tool.</summary>
    public string? ManagementKeyFile { get; init; }

    /// <summary>YubiKey only: yubico-piv-tool to run; null looks it up on PATH.</summary>
    public string? PivToolPath { get; init; }
}

public sealed record TokenInitResult(TokenDescriptor Token, IReadOnlyList<KeySlot> Generated, IReadOnlyList<string> UnusableCredentials)
{
    /// <summary>Records whose policy signature no longer verifies (signed by another token's key): sign them with <c>policy sign-all</c>.</summary>
    public IReadOnlyList<string> Unsigned { get; init; } = [];
}

/// <summary>
/// <c>appliance init</c>: binds a data dir to a PKCS#11 token. Opens the token with the PIN, makes the
/// key pairs that are missing (SoftHSM2: PKCS#11 key generation; YubiKey: yubico-piv-tool, because
/// ykcs11 cannot set PIN and touch policies), then writes the data dir (0700), appliance.json, the
/// CA and token.json with the serial and public keys pinned. All token work happens before anything
/// is written, so a wrong PIN or a missing key changes nothing on disk.
/// </summary>
public sealed class TokenInit(DataDir data, TimeProvider time, TextWriter output)
{
    public const string CaName = "Appliance CA";

    public TokenInitResult Run(TokenInitRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.ModulePath))
            throw new ArgumentException("No PKCS#11 module given; pass --pkcs11-module PATH (YubiKey: libykcs11.so, SoftHSM2: libsofthsm2.so).");
        if (request.TokenLabel is not null && request.TokenSerial is not null)
            throw new ArgumentException("Pass --token-label or --token-serial, not both.");
        if (request.Listen is not null) ListenAddress.Parse(request.Listen);
        var module = Path.GetFullPath(request.ModulePath);
        var pinFile = Path.GetFullPath(request.PinFile ?? throw new ArgumentException(
            "The token needs a PIN; pass --pin-file with a file (mode 0600) that holds it. A PIN is never taken from the command line."));
        var previous = File.Exists(data.TokenFile) ? TokenDescriptor.Load(data.TokenFile) : null;
        if (previous is not null && !request.Force)
            throw new InvalidOperationException(
                $"{data.TokenFile} exists: this appliance is bound to token serial {previous.Serial}. " +
                "Pass --force to re-pin whatever token is plugged in now; --force loses every credential sealed to other keys " +
                "(they can no longer be unsealed and must be added again with 'credentials rotate'). The CA, bots and credential files are kept.");

        var (descriptor, generated) = PrepareToken(request, module, pinFile, KeySlots.All);
        var unusable = previous is null ? [] : UnusableAfterRepin(descriptor);
        Write(descriptor, request, pinFile);
        // The config's signed keys are signed now (one touch on a YubiKey), so 'serve' finds them signed.
        PolicyConfigSigning.EnsureSigned(data, time, new DataDirPolicySigner(data, output));
        var unsigned = PolicyInventory.Check(data).Where(i => !i.Verdict.Ok).Select(i => i.Key.ToString()).ToList();
        return new TokenInitResult(descriptor, generated, unusable) { Unsigned = unsigned };
    }

    /// <summary>
    /// Opens the token of <paramref name="request"/>, makes the missing keys among <paramref name="slots"/> and pins it
    /// (writes nothing): <c>init</c>, and the new primary and the recovery token of <c>recovery enroll|restore</c>.
    /// </summary>
    public (TokenDescriptor Descriptor, IReadOnlyList<KeySlot> Generated) PrepareToken(TokenInitRequest request, IReadOnlyList<KeySlot> slots)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.ModulePath))
            throw new ArgumentException("No PKCS#11 module given; pass --pkcs11-module PATH (YubiKey: libykcs11.so, SoftHSM2: libsofthsm2.so).");
        var pinFile = Path.GetFullPath(request.PinFile ?? throw new ArgumentException(
            "The token needs a PIN; pass --pin-file with a file (mode 0600) that holds it. A PIN is never taken from the command line."));
        return PrepareToken(request, Path.GetFullPath(request.ModulePath), pinFile, slots);
    }

    private (TokenDescriptor, IReadOnlyList<KeySlot>) PrepareToken(TokenInitRequest request, string module, string pinFile, IReadOnlyList<KeySlot> slots)
    {
        var token = Open(module, request, pinFile);
        try
        {
            output.WriteLine($"token: label \"{token.Label}\", serial {token.Serial}");
            var missing = slots.Where(slot => !token.HasKey(slot)).ToList();
            if (missing.Count > 0 && IsYubiKey(module))
            {
                // yubico-piv-tool talks to the key itself: release our session first, then look again.
                token.Dispose();
                new YubiKeyKeyMaker(output, request.PivToolPath, request.ManagementKeyFile, pinFile).Make(missing, token.Serial);
                token = Open(module, request, pinFile);
                var stillMissing = slots.Where(slot => !token.HasKey(slot)).Select(s => s.PivName()).ToList();
                if (stillMissing.Count > 0)
                    throw new InvalidOperationException(
                        $"yubico-piv-tool reported success but ykcs11 still sees no key in slot(s) {string.Join(", ", stillMissing)}; " +
                        "check 'yubico-piv-tool -a status' and run 'appliance init' again.");
            }
            else
            {
                foreach (var slot in missing)
                {
                    token.GenerateKeyPair(slot);
                    output.WriteLine($"generated a P-256 key pair in slot {slot.PivName()} ({slot})");
                }
            }
            return (TokenDescriptor.Pin(token, TokenDescriptor.Pkcs11Kind, module, token.Label, slots), missing);
        }
        finally
        {
            token.Dispose();
        }
    }

    /// <summary>ykcs11 cannot set PIN and touch policies, so a YubiKey's keys are made with yubico-piv-tool.</summary>
    public static bool IsYubiKey(string modulePath) =>
        Path.GetFileName(modulePath).Contains("ykcs11", StringComparison.OrdinalIgnoreCase);

    private static Pkcs11Token Open(string module, TokenInitRequest request, string pinFile) =>
        Pkcs11Token.Open(new Pkcs11TokenOptions(module, request.TokenLabel, request.TokenSerial, TokenOpener.ReadPin(pinFile)));

    private List<string> UnusableAfterRepin(TokenDescriptor next)
    {
        var store = new CredentialStore(data.Root);
        return store.List()
            .Where(c => !c.TokenPublicKey.Span.SequenceEqual(next.PublicKey(c.Slot)))
            .Select(c => c.Name)
            .ToList();
    }

    private void Write(TokenDescriptor descriptor, TokenInitRequest request, string pinFile)
    {
        AtomicFile.CreatePrivateDirectory(data.Root);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(data.Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var config = File.Exists(data.ConfigFile) ? ApplianceConfig.Load(data.ConfigFile) : new ApplianceConfig();
        config = config with
        {
            Listen = request.Listen is null ? config.Listen : [request.Listen],
            PinFile = pinFile,
            Demo = false,
            Panel = config.Demo ? new ApplianceConfig().Panel : config.Panel,
        };
        config.Validate();
        config.Save(data.ConfigFile);
        if (!ApplianceCa.Exists(data.CaDir))
        {
            using var ca = ApplianceCa.Create(CaName, time);
            ca.Save(data.CaDir);
        }
        // token.json last: its presence is what marks the data dir as initialized.
        descriptor.Save(data.TokenFile);
    }
}
