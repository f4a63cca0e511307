using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace Appliance.Metrics;

/// <summary>
/// systemd WatchdogSec=: pings WATCHDOG=1 at half the interval systemd asks for (WATCHDOG_USEC), so
/// a hung process is restarted. Does nothing outside systemd (no notifier). READY=1 comes from AddSystemd().
/// </summary>
public sealed class SystemdWatchdog(ISystemdNotifier? notifier, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (notifier is not { IsEnabled: true } || !long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), out var usec) || usec <= 0) return;
        var period = TimeSpan.FromMicroseconds(usec / 2.0);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                notifier.Notify(new ServiceState("WATCHDOG=1"));
                await Task.Delay(period, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) { }
    }
}
