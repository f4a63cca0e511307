using System.Diagnostics.Metrics;
using Appliance.Audit;
using Appliance.Pipeline;
using Microsoft.Extensions.Logging;

namespace Appliance.Alerts;

/// <summary>
/// What an alert becomes: an audit record, the <see cref="AlertRaised"/> event (the alert LED), a
/// metric and the process log, and a webhook POST when configured. Nothing here blocks the caller.
/// </summary>
public sealed class AlertDispatcher : IAsyncDisposable
{
    private readonly FileAuditLog? _audit;
    private readonly WebhookSender? _webhook;
    private readonly ILogger _logger;
    private readonly Meter _meter;
    private readonly Counter<long> _alerts;

    public AlertDispatcher(FileAuditLog? audit, WebhookSender? webhook, ILogger logger, IMeterFactory? meters = null)
    {
        _audit = audit;
        _webhook = webhook;
        _logger = logger;
        _meter = meters?.Create(RequestMetrics.MeterName) ?? new Meter(RequestMetrics.MeterName);
        _alerts = _meter.CreateCounter<long>("alerts", description: "Alerts raised, by rule");
    }

    /// <summary>Raised for every alert, on the thread that raised it; handlers must be quick.</summary>
    public event Action<Alert>? AlertRaised;

    public void Raise(Alert alert)
    {
        _alerts.Add(1, new KeyValuePair<string, object?>("rule", alert.Rule));
        _logger.LogWarning("ALERT {Rule}: {Message}", alert.Rule, alert.Message);
        if (_audit is not null) _ = RecordAsync(_audit, alert);
        try { AlertRaised?.Invoke(alert); }
        catch (Exception e) { _logger.LogError("alert listener failed: {Error}", e.Message); }
        _webhook?.Enqueue(alert);
    }

    private async Task RecordAsync(FileAuditLog audit, Alert alert)
    {
        try
        {
            await audit.AppendAsync(new AuditEntry
            {
                Kind = AuditKind.Alert,
                Time = alert.Time,
                Bot = alert.Bot,
                Credential = alert.Credential,
                Reason = alert.Rule,
                Detail = alert.Message,
            }, CancellationToken.None);
        }
        catch (Exception e) when (e is Common.SignRefusal or InvalidOperationException)
        {
            _logger.LogError("alert {Rule} could not be audited: {Error}", alert.Rule, e.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_webhook is not null) await _webhook.DisposeAsync();
        _meter.Dispose();
    }
}
