using System.Security.Cryptography;
using Appliance.Common;
using Appliance.Config;
using Appliance.Pki;
using Appliance.Policy;
using Appliance.Sealing;
using Appliance.Token;
using Appliance.Devices.Tokens;
using Appliance.Upbit;

namespace Appliance.Provisioning;

/// <summary>
/// Makes (or refreshes) a demo data dir: a software token, a CA, a demo credential and a demo
/// bot with its bundle. Safe to run again on the same directory; the bot gets a fresh bundle
/// each time so its endpoint always matches the listen address. A directory it did not make
/// (no <c>"demo": true</c> in appliance.json) is refused before anything in it is touched: demo
/// replaces token.json and the credentials, which would wreck a production data dir.
/// </summary>
public static class DemoSetup
{
    public const string CredentialName = "demo";
    public const string AccessKey = "demo-access-key";
    public const string BotName = "demo-bot";

    /// <summary>A second demo credential that may withdraw: every withdrawal waits for a key press on the console.</summary>
    public const string WithdrawCredentialName = "demo-withdraw";
    public const string WithdrawAccessKey = "demo-withdraw-access-key";
    public const string WithdrawAddress = "bc1qdemo0address0for0the0console0demo00000";

    public static readonly IReadOnlyList<string> Scopes =
        ["view-assets", "view-orders", "trade", "trade-test", "view-withdrawals", "view-deposits"];

    public sealed record Result(DataDir Data, string BundleDir, bool CreatedToken);

    /// <param name="secret">The demo credential's secret; null keeps the existing one or makes a random one.</param>
    public static Result Ensure(DataDir data, string listen, TimeProvider time, SecretBytes? secret)
    {
        ListenAddress.Parse(listen);
        EnsureMadeByDemo(data);
        AtomicFile.CreatePrivateDirectory(data.Root);
        var created = !File.Exists(data.SoftwareTokenFile);
        using (var token = created ? SoftwareToken.Create(time) : SoftwareToken.Load(data.SoftwareTokenFile))
        {
            if (created) token.Save(data.SoftwareTokenFile);
            if (created || !File.Exists(data.TokenFile))
                TokenDescriptor.Pin(token, TokenDescriptor.SoftwareKind).Save(data.TokenFile);
        }
        // A new demo lets its withdrawal address be tried at once (no cooling-off); production keeps the 24 h default.
        var config = File.Exists(data.ConfigFile) ? ApplianceConfig.Load(data.ConfigFile) : new ApplianceConfig { CoolingOff = "0s" };
        (config with { Listen = [listen], Endpoint = null, Demo = true, Panel = "console" }).Save(data.ConfigFile);
        if (!ApplianceCa.Exists(data.CaDir))
        {
            using var ca = ApplianceCa.Create("Appliance demo CA", time);
            ca.Save(data.CaDir);
        }

        // The demo's server starts right after this and anchors every version it loads; no audit session per change.
        var credentials = new CredentialProvisioning(data, time, anchorLater: true);
        EnsureCredential(credentials, CredentialName, AccessKey, ApprovalMode.None, Scopes, secret);
        EnsureCredential(credentials, WithdrawCredentialName, WithdrawAccessKey, ApprovalMode.Button, ["view-withdrawals", "withdraw"], secret);

        // The demo's bot is the one bundle kept in a data dir: the demo's own, beside its software token.
        var bots = new BotEnrollment(data, time, anchorLater: true) { BundleInDataDir = true };
        var demoBundle = BundleDir(data);
        var (profile, bundle) = bots.Store.Exists(BotName)
            ? bots.Renew(BotName, demoBundle)
            : bots.Add(new BotRequest(BotName, CredentialName, [.. Scopes, "withdraw"])
            {
                Credentials = [WithdrawCredentialName],
                WithdrawAddresses = [WithdrawalAddress.Parse($"BTC:BTC:{WithdrawAddress}")],
                WithdrawCaps = [WithdrawalCap.Parse("BTC:0.01:0.05")],
            }, demoBundle);
        if (!profile.AllowsCredential(WithdrawCredentialName))
            bots.Update(BotName, p => p with { Credentials = [.. p.Credentials, WithdrawCredentialName] });
        // The demo's software token signs the config too, so 'serve' finds nothing unsigned.
        PolicyConfigSigning.EnsureSigned(data, time, new DataDirPolicySigner(data), anchorLater: true);
        return new Result(data, bundle, created);
    }

    /// <summary>Where the demo keeps its bot's bundle: DATA_DIR/bundles/demo-bot.</summary>
    public static string BundleDir(DataDir data) => Path.Combine(data.Root, "bundles", BotName);

    /// <summary>A missing or empty directory is made here; anything else must carry the demo mark.</summary>
    /// <summary>Refuses a non-empty data dir that demo did not make (read-only: demo checks it before it locks the dir).</summary>
    internal static void EnsureMadeByDemo(DataDir data)
    {
        // The lock file demo itself takes before it writes anything (DataDir.LockForServer) does not make a dir someone else's.
        if (!Directory.Exists(data.Root) || !Directory.EnumerateFileSystemEntries(data.Root).Any(e => Path.GetFileName(e) != DataDir.LockFileName)) return;
        if (File.Exists(data.ConfigFile) && ApplianceConfig.Load(data.ConfigFile).Demo) return;
        throw new InvalidOperationException(
            $"{data.Root} was not made by 'appliance demo' (its appliance.json has no \"demo\": true), and demo would overwrite its token.json " +
            "and credentials; nothing was changed. Give demo a new or empty --data-dir, or leave --data-dir out to use the default demo directory.");
    }

    private static void EnsureCredential(CredentialProvisioning credentials, string name, string accessKey, ApprovalMode approval,
        IReadOnlyList<string> scopes, SecretBytes? secret)
    {
        if (credentials.Store.Exists(name) && secret is null) return;
        using var random = secret is null ? RandomSecret() : null;
        var use = secret ?? random!;
        if (credentials.Store.Exists(name)) credentials.Rotate(name, accessKey, null, use);
        else credentials.Add(name, accessKey, approval, scopes, null, use);
    }

    /// <summary>A stand-in secret shaped like Upbit's (40 alphanumerics); Upbit itself would reject it.</summary>
    private static SecretBytes RandomSecret()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        var bytes = new byte[40];
        for (var i = 0; i < bytes.Length; i++) bytes[i] = (byte)alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        return SecretBytes.TakeFrom(bytes);
    }
}
