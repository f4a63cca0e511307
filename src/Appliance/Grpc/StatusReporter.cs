using System.Net;
using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using Appliance.Credentials;
using Appliance.Policy;
using Appliance.Pipeline;
using Appliance.V1;
using Appliance.Devices.Tokens;
using Appliance.Common;

namespace Appliance.Grpc;

/// <summary>GetStatus: only to a known bot, and only what that bot may see of the appliance.</summary>
public sealed class StatusReporter(BotRegistry bots, CredentialVault vault, ApplianceState state, bool softwareToken, TimeProvider time)
{
    private static readonly string Version =
        typeof(StatusReporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "dev";

    /// <summary>Where pending approvals are counted; null reports none.</summary>
    public IApprovalGate? Approvals { get; init; }

    public ApplianceStatus Report(X509Certificate2? certificate, IPAddress peer)
    {
        var bot = BotIdentity.Identify(bots, certificate, peer, time.GetUtcNow());
        var status = new ApplianceStatus
        {
            State = state.Name,
            TokenPresent = state.TokenPresent,
            SoftwareToken = softwareToken,
            PendingApprovals = (uint)(Approvals?.Pending ?? 0),
            Bot = bot.Name,
            Version = Version,
        };
        status.Credentials.Add(vault.Names.Where(bot.AllowsCredential));
        status.Scopes.Add(bot.Scopes);
        return status;
    }
}
