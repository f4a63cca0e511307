using Appliance.Orders;
using Appliance.Pipeline;
using Appliance.Upbit;

namespace Appliance.Audit;

/// <summary>
/// At start, what the audit log says was sent: the request ids of the never-twice window and the owners
/// of recent orders. A decision record is durable before its request leaves; its outcome record may be
/// missing after a crash, and then a retry of that id answers OUTCOME_UNKNOWN instead of sending again.
/// Streams the records once and keeps only sent requests still waiting for their outcome.
/// </summary>
public static class SendHistory
{
    public sealed record Restored(int RequestIds, int Orders, int OutcomeUnknown);

    /// <summary>Feeds <paramref name="entries"/> (in chain order) into <paramref name="sent"/> and <paramref name="owners"/>.</summary>
    public static Restored Restore(IEnumerable<AuditEntry> entries, SentRequests sent, OrderOwners owners)
    {
        var waiting = new Dictionary<string, AuditEntry>(StringComparer.Ordinal);
        int ids = 0, orders = 0, unknown = 0;
        foreach (var e in entries)
        {
            if (e.Kind == AuditKind.Decision && e.Decision == "sent" && e.AuditId is not null && e.Bot is not null)
            {
                if (PlacedOrder(e) is { } order)
                {
                    owners.Placed(e.Bot, order.Identifier, order.Market, order.Volume, e.Time);
                    orders++;
                }
                if (e.RequestId is not null) waiting[e.AuditId] = e;
            }
            else if (e.Kind == AuditKind.Outcome && e.AuditId is not null)
            {
                if (e.Identifier is not null && e.Uuid is not null) owners.Answered(e.Identifier, e.Uuid);
                if (waiting.Remove(e.AuditId, out var decision))
                {
                    Remember(sent, decision, e.HttpStatus);
                    ids++;
                }
            }
        }
        foreach (var decision in waiting.Values)
        {
            Remember(sent, decision, null);
            ids++;
            unknown++;
        }
        return new Restored(ids, orders, unknown);
    }

    private static void Remember(SentRequests sent, AuditEntry d, int? status)
    {
        var parameters = d.Params ?? [];
        var fingerprint = SentRequests.Fingerprint(d.Bot!, d.RequestId!, d.Method ?? "", d.Path ?? "", d.Credential ?? "", parameters);
        sent.Restore(d.Bot!, d.RequestId!, fingerprint, d.Time, d.AuditId!, status, PlacedOrder(d)?.Identifier);
    }

    private static (string Identifier, string? Market, decimal? Volume)? PlacedOrder(AuditEntry d)
    {
        if (d.Method is null || d.Path is null || !EndpointCatalog.Default.TryFind(d.Method, d.Path, out var endpoint)) return null;
        if (OrderIdentifiers.KeyFor(endpoint) is not { } key || d.Params is not { } parameters) return null;
        var identifier = parameters.FirstOrDefault(p => p.Key == key).Value;
        return identifier is null ? null : (identifier, OrderFacts.Market(parameters), OrderFacts.Volume(endpoint, parameters));
    }
}
