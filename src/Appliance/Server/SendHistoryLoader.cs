using System.Diagnostics;
using Appliance.Audit;
using Appliance.Common;
using Appliance.Orders;
using Appliance.Pipeline;
using Microsoft.Extensions.Logging;

namespace Appliance.Server;

/// <summary>At start: the request ids and order owners of the recent audit log, so a retry after a restart is never sent twice.</summary>
public sealed class SendHistoryLoader
{
    private SendHistoryLoader() { }

    public static void Load(string auditDir, SentRequests sent, OrderOwners owners, TimeProvider time, ILogger<SendHistoryLoader> log)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var window = sent.Window > owners.Keep ? sent.Window : owners.Keep;
            var entries = AuditReader.ReadSince(auditDir, time.GetUtcNow() - window).Select(r => r.Entry);
            var restored = SendHistory.Restore(entries, sent, owners);
            log.LogInformation("Restored {Ids} request ids ({Unknown} without an outcome) and {Orders} order owners from the audit log in {Ms} ms",
                restored.RequestIds, restored.OutcomeUnknown, restored.Orders, (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            // Fail closed: without the history a retry could be sent twice, so every Send refuses until a restart reads it.
            log.LogError(e, "Could not read the audit log's recent requests; Send refuses until the appliance restarts and reads them");
            throw Refusals.AuditUnavailable();
        }
    }
}
