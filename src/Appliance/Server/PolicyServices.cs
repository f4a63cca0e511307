using Appliance.Alerts;
using Appliance.Audit;
using Appliance.Config;
using Appliance.Credentials;
using Appliance.Policy;
using Appliance.Sealing;
using Appliance.Token;
using Appliance.Devices.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Server;

/// <summary>
/// Wires the signed policy into the server: the <see cref="PolicyGate"/> (made before the container, because the
/// credentials are unsealed before it), alerts for records it leaves out, the anchoring of versions in the audit
/// log, and the admin socket's <c>policy-reload</c>.
/// </summary>
public static class PolicyServices
{
    /// <summary>The gate for this data dir: the pinned policy key from token.json, floors from the audit log.</summary>
    public static PolicyGate CreateGate(ServerSetup setup)
    {
        var pinned = TokenDescriptor.Load(setup.Data.TokenFile);
        var floors = PolicyAnchorLog.ReadFloors(setup.Data.AuditDir, pinned.PublicKey(KeySlot.Audit));
        return new PolicyGate(pinned.PublicKey(KeySlot.Policy), floors, NullLogger.Instance); // rejections are logged as alerts
    }

    /// <summary>The credentials of the data dir that the gate admits.</summary>
    public static IReadOnlyList<SealedCredential> Credentials(this PolicyGate gate, DataDir data) =>
        gate.AdmitCredentials(new CredentialStore(data.Root).ListEach()
            .Select(c => new PolicyFile<SealedCredential>(PolicyRecordKey.Credential(c.Name), c.Path, c.Credential, c.Error)));

    public static IServiceCollection AddSignedPolicy(this IServiceCollection services, ServerSetup setup, PolicyGate gate)
    {
        services.AddSingleton(gate);
        services.AddSingleton(sp => new PolicyReload(gate, sp.GetRequiredService<BotRegistry>(), sp.GetRequiredService<TokenPresenceMonitor>(), setup.Data));
        return services;
    }

    /// <summary>After the audit log is open: alerts for rejections (those so far, then each new one) and the anchoring.</summary>
    public static async Task StartSignedPolicyAsync(this IServiceProvider services, ServerSetup setup, CancellationToken cancellationToken)
    {
        var gate = services.GetRequiredService<PolicyGate>();
        var alerts = services.GetRequiredService<AlertDispatcher>();
        void Raise(PolicyRejection r) => alerts.Raise(new Alert(AlertRuleNames.PolicyRejected, setup.Time.GetUtcNow(), r.ToString(),
            r.Key.Kind == PolicyRecordKind.Bot ? r.Key.Name : null, r.Key.Kind == PolicyRecordKind.Credential ? r.Key.Name : null));
        gate.Rejected += Raise;
        foreach (var rejection in gate.TakeUnannounced()) Raise(rejection);
        if (services.GetService<FileAuditLog>() is { } audit)
            services.GetRequiredService<PolicyReload>().Anchoring = await PolicyAnchoring.StartAsync(gate, audit, setup.Time,
                services.GetRequiredService<ILogger<PolicyAnchoring>>(), cancellationToken: cancellationToken);
    }
}

/// <summary>
/// The admin socket's <c>policy-reload</c>: re-reads bots and credentials now and returns once every new version is
/// anchored in the audit log, so a CLI change (a revocation above all) is on record before the command returns.
/// </summary>
public sealed class PolicyReload(PolicyGate gate, BotRegistry bots, TokenPresenceMonitor monitor, DataDir data) : IAsyncDisposable
{
    public PolicyAnchoring? Anchoring { get; set; }

    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        bots.Reload(force: true);
        if (!monitor.TryReloadCredentials())
            gate.Credentials(data); // token out or busy: judge (and anchor) them anyway
        if (Anchoring is { } anchoring) await anchoring.FlushAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (Anchoring is { } anchoring) await anchoring.DisposeAsync();
    }
}
