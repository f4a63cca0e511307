using Appliance.Alerts;
using Appliance.Audit;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tests.Alerts;

/// <summary>The audit_disk rule: once when the disk crosses the threshold, again only after it fell well below.</summary>
public sealed class AuditDiskAlertTests
{
    private static AuditDiskReport Used(double percent) =>
        new(AuditBytes: 300L << 20, DiskTotalBytes: 1000L << 20, DiskFreeBytes: (long)((100 - percent) * 10) << 20,
            BytesPerDay: 10L << 20, DaysLeft: (100 - percent), Segments: 3, FirstSeq: 1);

    [Fact]
    public void Fires_once_at_the_threshold_and_rearms_five_points_below()
    {
        var rule = new AuditDiskAlert(80, new FakeTimeProvider());
        Assert.Null(rule.Observe(Used(79)));
        var alert = rule.Observe(Used(80));
        Assert.NotNull(alert);
        Assert.Equal("audit_disk", alert.Rule);
        Assert.Contains("80 % full (200 MiB free, the log takes 300 MiB; about 20 days left at 10 MiB/day)", alert.Message);
        Assert.Contains("audit.max_age_days", alert.Message);
        Assert.Null(rule.Observe(Used(90)));
        Assert.Null(rule.Observe(Used(76)));   // not far enough below to rearm
        Assert.Null(rule.Observe(Used(81)));
        Assert.Null(rule.Observe(Used(74)));   // rearmed
        Assert.NotNull(rule.Observe(Used(80)));
    }
}
