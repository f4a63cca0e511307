using System.Diagnostics.Metrics;
using Appliance.Audit;
using Appliance.Credentials;
using Appliance.Metrics;
using Appliance.Policy;
using Appliance.Server;
using Appliance.Token;
using Appliance.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Appliance.Alerts;
using Appliance.Devices.Tokens;

namespace Appliance.Server;

/// <summary>
/// Wires the audit log and the alerts into the server: the FileAuditLog (unless ServerSetup.Audit
/// overrides it), the rules, the dispatcher with its webhook, the monitor, and the IAuditSink the
/// pipeline uses (decision first, then the rules over it); the Prometheus endpoint and the systemd
/// notifications and watchdog. The container owns and closes them.
/// </summary>
public static class AuditAndAlertServices
{
    public static IServiceCollection AddAuditAndAlerts(this IServiceCollection services, ServerSetup setup)
    {
        var options = setup.Config.Alerts;
        if (setup.Audit is null)
        {
            // Checkpoints are signed by the token in the port now (a new instance after a re-plug).
            services.AddSingleton(sp => FileAuditLog.Open(setup.Data.AuditDir,
                new LiveToken(sp.GetRequiredService<TokenPresenceMonitor>(), setup.Token.Serial, setup.Token.IsSoftware),
                setup.AuditOptions ?? new FileAuditLogOptions { MaxSegmentBytes = setup.Config.Audit.SegmentBytes }, setup.Time,
                sp.GetRequiredService<ILogger<FileAuditLog>>(), sp.GetService<IMeterFactory>()));
            // Compression, pruning behind a signed anchor, disk figures (status, metrics, the audit_disk alert).
            services.AddSingleton(sp => new AuditRetention(sp.GetRequiredService<FileAuditLog>(), setup.Config.Audit, setup.Time,
                sp.GetRequiredService<ILogger<AuditRetention>>(), gauges: true));
        }
        services.AddSingleton(new AlertRules(options, setup.Time));
        services.AddSingleton(sp =>
        {
            var logger = sp.GetRequiredService<ILogger<AlertDispatcher>>();
            var webhook = options.Webhook is null ? null : new WebhookSender(new Uri(options.Webhook), setup.Token.Serial, setup.Time, logger);
            return new AlertDispatcher(sp.GetService<FileAuditLog>(), webhook, logger, sp.GetService<IMeterFactory>());
        });
        services.AddSingleton(sp => new AlertMonitor(sp.GetRequiredService<AlertRules>(), sp.GetRequiredService<AlertDispatcher>(),
            sp.GetRequiredService<BotRegistry>(), sp.GetRequiredService<CredentialVault>(), sp.GetRequiredService<ApplianceState>(),
            sp.GetService<FileAuditLog>(), setup.Time, TimeSpan.FromSeconds(1), sp.GetService<AuditRetention>(), setup.Config.Audit.DiskAlertPercent));
        if (setup.Panel is not null)
            services.AddSingleton(sp => new AlertLed(sp.GetRequiredService<Panel.PanelController>(), sp.GetRequiredService<AlertDispatcher>(),
                sp.GetService<FileAuditLog>(), sp.GetRequiredService<IApprovalGate>()));
        services.AddSingleton(sp => new ApplianceGauges(sp.GetRequiredService<IMeterFactory>(), sp.GetRequiredService<ApplianceState>()));
        services.AddSingleton<IAuditSink>(sp => new AlertingAuditSink(setup.Audit ?? sp.GetRequiredService<FileAuditLog>(),
            sp.GetRequiredService<AlertRules>(), sp.GetRequiredService<AlertDispatcher>(), sp.GetRequiredService<ApplianceGauges>()));
        services.AddSingleton(sp => new MetricsEndpoint(setup.MetricsListen ?? setup.Config.Metrics,
            sp.GetRequiredService<IMeterFactory>(), sp.GetRequiredService<ILogger<MetricsEndpoint>>()));
        services.AddHostedService(sp => sp.GetRequiredService<MetricsEndpoint>());
        services.AddSystemd();
        services.AddHostedService(sp => new SystemdWatchdog(sp.GetService<Microsoft.Extensions.Hosting.Systemd.ISystemdNotifier>(), setup.Time));
        return services;
    }

    /// <summary>Opens the log and starts the monitor now, so a damaged or unwritable log stops the start.</summary>
    public static FileAuditLog? StartAuditAndAlerts(this IServiceProvider services)
    {
        services.GetRequiredService<IAuditSink>();
        services.GetService<AuditRetention>()?.Start(TimeSpan.FromMinutes(1));
        services.GetRequiredService<AlertMonitor>();
        services.GetService<AlertLed>(); // the red LED follows alerts from the first one on
        return services.GetService<FileAuditLog>();
    }
}
