using Appliance.Config;
using Appliance.Tests.Support;

namespace Appliance.Tests.Config;

/// <summary>appliance.json's "audit" section: defaults, values and the errors that name the fix.</summary>
public sealed class AuditConfigTests : IDisposable
{
    private readonly TempDir _dir = new("appliance-config");

    public void Dispose() => _dir.Dispose();

    private ApplianceConfig Load(string audit)
    {
        var path = _dir.Sub("appliance.json");
        File.WriteAllText(path, $"{{\"audit\": {audit}}}");
        return ApplianceConfig.Load(path);
    }

    [Fact]
    public void Defaults_keep_everything_compress_and_alert_at_80_percent()
    {
        var audit = new ApplianceConfig().Audit;
        Assert.Equal(8 * 1024 * 1024, audit.SegmentBytes);
        Assert.True(audit.Compress);
        Assert.Null(audit.MaxAgeDays);
        Assert.Null(audit.MaxMiB);
        Assert.Null(audit.ExportDir);
        Assert.Equal(80, audit.DiskAlertPercent);
    }

    [Fact]
    public void Values_are_read()
    {
        var audit = Load("""{"segment_mib": 4, "compress": false, "max_age_days": 90, "max_mib": 4096, "export_dir": "/mnt/usb/audit", "disk_alert_percent": 70}""").Audit;
        Assert.Equal((4 * 1024 * 1024L, false, 90.0, 4096L, "/mnt/usb/audit", 70.0),
            (audit.SegmentBytes, audit.Compress, audit.MaxAgeDays, audit.MaxMiB, audit.ExportDir, audit.DiskAlertPercent));
    }

    [Theory]
    [InlineData("""{"max_age_days": 1}""", "'audit.max_age_days' must be at least 2")]
    [InlineData("""{"max_mib": 16}""", "'audit.max_mib' must be at least 4 segments (32 MiB")]
    [InlineData("""{"export_dir": "usb/audit"}""", "must be an absolute path")]
    [InlineData("""{"disk_alert_percent": 100}""", "between 1 and 99")]
    [InlineData("""{"segment_mib": 0}""", "between 1 and 256")]
    public void Bad_values_are_refused_naming_the_fix(string audit, string message) =>
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => Load(audit)).Message);

    [Fact]
    public void An_unknown_key_is_refused() =>
        Assert.Throws<InvalidDataException>(() => Load("""{"max_days": 30}"""));
}
