using Appliance.Pipeline;
using Appliance.Approval;
using Appliance.Audit;
using Appliance.Panel;

namespace Appliance.Alerts;

/// <summary>
/// The red LED follows the alerts: every alert lights it with its rule on the display until the
/// operator presses reject while no approval waits (acknowledged); an audit log that cannot be
/// written keeps it lit until writes succeed again, acknowledged or not.
/// </summary>
public sealed class AlertLed : IDisposable
{
    private readonly PanelController _panel;
    private readonly AlertDispatcher _alerts;
    private readonly FileAuditLog? _audit;
    private readonly IApprovalGate _approvals;

    public AlertLed(PanelController panel, AlertDispatcher alerts, FileAuditLog? audit, IApprovalGate approvals)
    {
        (_panel, _alerts, _audit, _approvals) = (panel, alerts, audit, approvals);
        _alerts.AlertRaised += OnAlert;
        if (_audit is not null) _audit.AvailabilityChanged += OnAuditAvailability;
        _panel.Panel.ButtonPressed += OnButton;
    }

    private void OnAlert(Alert alert) => _panel.RaiseAlert(alert.Rule);

    private void OnAuditAvailability(bool available)
    {
        if (available) _panel.ClearAlert(AlertRuleNames.AuditUnavailable);
        else _panel.RaiseAlert(AlertRuleNames.AuditUnavailable);
    }

    private void OnButton(ButtonEvent e)
    {
        // A reject press answers the approval on the panel when there is one; otherwise it acknowledges.
        if (e is not { Button: PanelButton.Reject, Kind: PressKind.Press } || _approvals.Pending > 0) return;
        _panel.ClearAlert();
        if (_audit is { IsAvailable: false }) _panel.RaiseAlert(AlertRuleNames.AuditUnavailable);
    }

    public void Dispose()
    {
        _alerts.AlertRaised -= OnAlert;
        if (_audit is not null) _audit.AvailabilityChanged -= OnAuditAvailability;
        _panel.Panel.ButtonPressed -= OnButton;
    }
}
