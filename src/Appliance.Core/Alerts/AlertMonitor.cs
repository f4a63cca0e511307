using Appliance.Audit;
using Appliance.Credentials;
using Appliance.Policy;
using Appliance.Pipeline;
using Appliance.Common;

namespace Appliance.Alerts;

/// <summary>
/// The alerts that do not come from a decision: it watches the bots and credentials (new ones,
/// expiry, age, new withdrawal addresses), the token (removed) and the audit log (cannot write), and raises them.
/// It also keeps the panel's list of withdrawal addresses still in their cooling-off up to date.
/// </summary>
public sealed class AlertMonitor : IAsyncDisposable
{
    private readonly AlertRules _rules;
    private readonly AlertDispatcher _alerts;
    private readonly BotRegistry _bots;
    private readonly CredentialVault _vault;
    private readonly ApplianceState _state;
    private readonly FileAuditLog? _audit;
    private readonly TimeProvider _time;
    private readonly TimeSpan _coolingOff;
    private readonly AuditRetention? _retention;
    private readonly AuditDiskAlert? _disk;
    private readonly Panel.PanelController? _panel;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public AlertMonitor(AlertRules rules, AlertDispatcher alerts, BotRegistry bots, CredentialVault vault, ApplianceState state,
        FileAuditLog? audit, TimeProvider time, TimeSpan interval, AuditRetention? retention = null, double diskAlertPercent = 80,
        TimeSpan coolingOff = default, Panel.PanelController? panel = null)
    {
        _panel = panel;
        (_rules, _alerts, _bots, _vault, _state, _audit, _time, _coolingOff) = (rules, alerts, bots, vault, state, audit, time, coolingOff);
        (_retention, _disk) = (retention, retention is null ? null : new AuditDiskAlert(diskAlertPercent, time));
        // What the log's start found (totals rebuilt from the log, …) reaches the operator like any alert.
        foreach (var warning in audit?.StartWarnings ?? []) _alerts.Raise(new Alert(AlertRuleNames.AuditStart, time.GetUtcNow(), warning));
        CheckInventory();
        _state.Changed += OnStateChanged;
        if (_audit is not null) _audit.AvailabilityChanged += OnAuditAvailability;
        _loop = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await Task.Delay(interval, time, _stop.Token);
                    CheckInventory();
                }
            }
            catch (OperationCanceledException) { }
        });
    }

    private void CheckInventory()
    {
        var credentials = _vault.Names.Select(n => { try { return _vault.Metadata(n); } catch (Exception e) when (e is InvalidOperationException or Common.SignRefusal) { return null; } })
            .OfType<Sealing.CredentialMetadata>();
        foreach (var alert in _rules.ObserveInventory(_bots.All.Select(b => b.Name), credentials)) _alerts.Raise(alert);
        foreach (var alert in _rules.ObserveAddresses(_bots.All, _coolingOff)) _alerts.Raise(alert);
        // The panel lists the addresses still cooling off while it is idle; each leaves the list when it opens.
        _panel?.SetNotes(WaitingAddresses.Lines(WaitingAddresses.Of(_bots.All, _coolingOff, _time.GetUtcNow())));
        CheckDisk();
    }

    private void CheckDisk()
    {
        if (_retention is null || _disk is null) return;
        try
        {
            if (_disk.Observe(_retention.Storage.Report()) is { } alert) _alerts.Raise(alert);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // measured again next time
    }

    private void OnStateChanged()
    {
        if (_rules.ObserveToken(_state.TokenPresent) is { } alert) _alerts.Raise(alert);
    }

    private void OnAuditAvailability(bool available)
    {
        if (!available)
            _alerts.Raise(new Alert(AlertRuleNames.AuditUnavailable, _time.GetUtcNow(),
                "the audit log cannot be written: signing is stopped until it can"));
    }

    public async ValueTask DisposeAsync()
    {
        _state.Changed -= OnStateChanged;
        if (_audit is not null) _audit.AvailabilityChanged -= OnAuditAvailability;
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
