using System.Net.Sockets;
using Appliance.Admin;
using Appliance.Audit;
using Appliance.Config;
using Appliance.Policy;

namespace Appliance.Provisioning;

/// <summary>
/// Puts a CLI change on record in the audit log before the command returns. With a server running, the server owns
/// the log: it is asked to re-read the policy now (admin socket <c>policy-reload</c>), and it anchors what it loads.
/// Without one, the anchors are appended here. Either way an older copy of the file can no longer be put back.
/// </summary>
public static class PolicyAnchorSink
{
    public static void Anchor(DataDir data, IReadOnlyList<PolicyAnchor> anchors, TimeProvider time) =>
        AnchorAsync(data, anchors, time, CancellationToken.None).GetAwaiter().GetResult();

    public static async Task AnchorAsync(DataDir data, IReadOnlyList<PolicyAnchor> anchors, TimeProvider time, CancellationToken cancellationToken)
    {
        if (anchors.Count == 0) return;
        if (await TryServerReloadAsync(data, cancellationToken))
        {
            // Trust the log, not the socket's answer: the server must have anchored what it loaded.
            var floors = PolicyAnchorLog.ReadFloors(data.AuditDir, TokenDescriptor.Load(data.TokenFile).PublicKey(Token.KeySlot.Audit));
            var missing = anchors.Where(a => floors.Of(a.Key) < a.Version).Select(a => $"{a.Key} version {a.Version}").ToList();
            if (missing.Count > 0)
                throw new InvalidOperationException(
                    $"The running server did not anchor {string.Join(", ", missing)} in the audit log (it did not load the change); run 'appliance policy status' to see why.");
            return;
        }
        await using var log = FileAuditLog.Open(data.AuditDir, checkpointSigner: null, time: time);
        foreach (var anchor in anchors)
            await log.AppendAsync(PolicyAnchorLog.Anchor(anchor, time.GetUtcNow()), cancellationToken);
    }

    /// <summary>True when a server answered and anchored; false when none runs. A server that answers with an error throws.</summary>
    public static async Task<bool> TryServerReloadAsync(DataDir data, CancellationToken cancellationToken)
    {
        if (!File.Exists(data.AdminSocket)) return false;
        try
        {
            await AdminClient.SendAsync(data.AdminSocket, AdminCommandNames.PolicyReload, cancellationToken);
            return true;
        }
        catch (InvalidOperationException e) when (e.InnerException is SocketException)
        {
            return false; // a socket file left behind by a server that is gone
        }
    }
}
