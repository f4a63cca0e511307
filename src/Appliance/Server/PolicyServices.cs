using Appliance.Alerts;
using Appliance.Audit;
using Appliance.Config;
using Appliance.Devices.Tokens;
using Appliance.Policy;
using Appliance.Sealing;
using Appliance.Token;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Server;

/// <summary>
/// The signed policy's parts of the server (Composition wires them): the <see cref="PolicyGate"/> (made before the
/// vault, because the credentials it admits are unsealed first), alerts for records it leaves out, the anchoring of
/// versions in the audit log, and the admin socket's <c>policy-reload</c>.
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

    /// <summary>Rejected records raise a policy alert: those so far, then each new one.</summary>
    public static void AlertOnRejections(PolicyGate gate, AlertDispatcher alerts, TimeProvider time)
    {
        void Raise(PolicyRejection r) => alerts.Raise(new Alert(AlertRuleNames.PolicyRejected, time.GetUtcNow(), r.ToString(),
            r.Key.Kind == PolicyRecordKind.Bot ? r.Key.Name : null, r.Key.Kind == PolicyRecordKind.Credential ? r.Key.Name : null));
        gate.Rejected += Raise;
        foreach (var rejection in gate.TakeUnannounced()) Raise(rejection);
    }
}

/// <summary>
/// The admin socket's <c>policy-reload</c>: re-reads bots and credentials now and returns once every new version is
/// anchored in the audit log, so a CLI change (a revocation above all) is on record before the command returns.
/// </summary>
public sealed class PolicyReload(PolicyGate gate, BotRegistry bots, TokenPresenceMonitor monitor, DataDir data,
    FileAuditLog? audit, TimeProvider time, ILogger<PolicyAnchoring> logger) : IAsyncDisposable
{
    private PolicyAnchoring? _anchoring;

    /// <summary>After the audit log is open: anchors what the gate admitted so far and a snapshot, then keeps anchoring.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (audit is not null && _anchoring is null)
            _anchoring = await PolicyAnchoring.StartAsync(gate, audit, time, logger, cancellationToken: cancellationToken);
    }

    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        bots.Reload(force: true);
        if (!monitor.TryReloadCredentials())
            gate.Credentials(data); // token out or busy: judge (and anchor) them anyway
        if (_anchoring is { } anchoring) await anchoring.FlushAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_anchoring is { } anchoring) await anchoring.DisposeAsync();
    }
}
