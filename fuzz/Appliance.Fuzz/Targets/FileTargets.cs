using System.Net;
using System.Text;
using Appliance.Config;
using Appliance.Policy;
using Appliance.Sealing;

namespace Appliance.Fuzz;

/// <summary>
/// The files the appliance reads at start and on reload. Each parser documents its refusal: appliance.json an
/// InvalidDataException (unreadable, unknown key) or ArgumentException (a value out of range), a bot profile an
/// InvalidDataException, a sealed credential a FormatException, each thrown by the appliance's own code. An
/// accepted file must be usable: <see cref="Accepted"/> checks it, and the calls serve makes on it must not throw.
/// </summary>
public static class FileTargets
{
    public static void Config(byte[] input)
    {
        ApplianceConfig config;
        try { config = ApplianceConfig.Parse(Encoding.UTF8.GetString(input), "appliance.json"); }
        catch (Exception e) when (e is InvalidDataException or ArgumentException && Refusal.ThrownByAppliance(e)) { return; }
        Accepted.Check(config, "config");
        config.ToSignerOptions();
        config.ToUpbitRates();
        if (config.Endpoint is null && !config.Listen.Any(l => l.StartsWith("0.0.0.0", StringComparison.Ordinal) || l.StartsWith("[::]", StringComparison.Ordinal)))
            config.BundleEndpoint(); // 0.0.0.0 asks DNS for the host name: no input in it, and slow
    }

    public static void BotProfile(byte[] input)
    {
        BotProfile profile;
        try { profile = BotStore.ParseProfile(Encoding.UTF8.GetString(input), "bots/fuzz.json"); }
        catch (InvalidDataException e) when (Refusal.ThrownByAppliance(e)) { return; }
        Accepted.Check(profile, "profile");
        profile.AllowsIp(IPAddress.Loopback);
        profile.AllowsIp(IPAddress.IPv6Loopback);
        profile.AllowsCredential("main");
    }

    public static void SealedCredential(byte[] input)
    {
        Sealing.SealedCredential credential;
        try { credential = Sealing.SealedCredential.FromJson(Encoding.UTF8.GetString(input)); }
        catch (FormatException e) when (Refusal.ThrownByAppliance(e)) { return; }
        Accepted.Check(credential, "credential");
    }
}
