using System.Globalization;
using Appliance.Audit;

namespace Appliance.Alerts;

/// <summary>
/// The audit_disk rule: the file system holding the audit log is at least <c>audit.disk_alert_percent</c>
/// full. Fires once when it crosses the threshold and again only after it fell 5 points below it (so a
/// disk hovering at the line does not alert every second). Thread-safe.
/// </summary>
public sealed class AuditDiskAlert(double thresholdPercent, TimeProvider time)
{
    private const double Rearm = 5;
    private readonly Lock _gate = new();
    private bool _fired;

    public Alert? Observe(AuditDiskReport report)
    {
        lock (_gate)
        {
            var used = report.DiskUsedPercent;
            if (_fired)
            {
                if (used < thresholdPercent - Rearm) _fired = false;
                return null;
            }
            if (used < thresholdPercent) return null;
            _fired = true;
            var left = report.DaysLeft is { } d ? string.Create(CultureInfo.InvariantCulture, $"about {d:0.#} days left at {Mib(report.BytesPerDay ?? 0)} MiB/day") : "growth not known yet";
            var message = string.Create(CultureInfo.InvariantCulture,
                $"the disk holding the audit log is {used:0.#} % full ({Mib(report.DiskFreeBytes)} MiB free, the log takes {Mib(report.AuditBytes)} MiB; {left}); ");
            return new Alert(AlertRuleNames.AuditDisk, time.GetUtcNow(), message +
                "set audit.max_age_days or audit.max_mib in appliance.json (with audit.export_dir to keep a copy), or free space: when it is full, signing stops");
        }
    }

    private static string Mib(double bytes) => (bytes / (1024 * 1024)).ToString("0.#", CultureInfo.InvariantCulture);
}
