using Appliance.Pipeline;
using Appliance.Common;

namespace Appliance.Panel;

/// <summary>
/// Keeps the panel in step with the appliance: ready green steady while serving; alert red when
/// the key is absent or signing is paused (or an alert is raised); amber blinking while an
/// approval waits, with its details on the display; activity flashing once per signature. The one
/// writer of the panel's LEDs and text, so state, approvals and alerts never overwrite each other.
/// Buttons are read by their owners (the approval gate; pause control for the long press).
/// </summary>
public sealed class PanelController : IDecisionObserver, IDisposable
{
    private readonly Lock _lock = new();
    private readonly IPanel _panel;
    private readonly ApplianceState _state;
    private IReadOnlyList<string>? _approval;
    private readonly List<string> _alerts = []; // active alert reasons, newest last
    private IReadOnlyList<string> _notes = []; // shown under the state while idle (addresses cooling off)
    private long _signed;

    public PanelController(IPanel panel, ApplianceState state)
    {
        _panel = panel;
        _state = state;
        _state.Changed += Refresh;
        Refresh();
    }

    public IPanel Panel => _panel;

    public long Signed => Interlocked.Read(ref _signed);

    /// <summary>The pipeline's third observer: one flash of the activity LED per request sent or token signed.</summary>
    public void Observe(SignDecision decision, TimeSpan elapsed)
    {
        if (decision.Outcome is Outcome.Sent or Outcome.Signed) OnSigned();
    }

    /// <summary>One flash of the activity LED.</summary>
    public void OnSigned()
    {
        Interlocked.Increment(ref _signed);
        _panel.Pulse(Led.Activity);
    }

    /// <summary>Shows what waits for approval and blinks the approval LED until <see cref="EndApproval"/>.</summary>
    public void ShowApproval(ApprovalPrompt prompt) => ShowApproval(ApprovalText.Lines(prompt));

    /// <summary>Shows approval text already laid out (the approval gate's queue view).</summary>
    public void ShowApproval(IReadOnlyList<string> lines)
    {
        lock (_lock) _approval = lines;
        Refresh();
    }

    public void EndApproval()
    {
        lock (_lock) _approval = null;
        Refresh();
    }

    /// <summary>Lights the alert LED with a reason on the display (audit failure, anomaly) until it is cleared.</summary>
    public void RaiseAlert(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        lock (_lock)
        {
            _alerts.Remove(reason);
            _alerts.Add(reason);
        }
        Refresh();
    }

    /// <summary>Clears one alert (e.g. the audit log can be written again).</summary>
    public void ClearAlert(string reason)
    {
        lock (_lock) _alerts.Remove(reason);
        Refresh();
    }

    /// <summary>Clears every alert: the operator has seen them.</summary>
    public void ClearAlert()
    {
        lock (_lock) _alerts.Clear();
        Refresh();
    }

    /// <summary>Lines shown under the state and alert while no approval waits (e.g. withdrawal addresses still cooling off).</summary>
    public void SetNotes(IReadOnlyList<string> lines)
    {
        lock (_lock)
        {
            if (_notes.SequenceEqual(lines)) return; // called every second: redraw only on a change
            _notes = [.. lines];
        }
        Refresh();
    }

    public IReadOnlyList<string> Notes
    {
        get { lock (_lock) return _notes; }
    }

    public IReadOnlyList<string> Alerts
    {
        get { lock (_lock) return _alerts.ToList(); }
    }

    private void Refresh()
    {
        lock (_lock)
        {
            var kind = _state.Kind;
            var serving = kind == ApplianceStateKind.Ready;
            _panel.SetLed(Led.Ready, serving);
            _panel.SetLed(Led.Alert, !serving || _alerts.Count > 0);
            if (_approval is not null) _panel.BlinkLed(Led.Approval);
            else _panel.SetLed(Led.Approval, false);
            _panel.ShowText(_approval ?? StateLines(kind));
        }
    }

    /// <summary>What the display shows when no approval waits, by appliance state.</summary>
    public static IReadOnlyList<string> IdleLines(ApplianceStateKind state) => state switch
    {
        ApplianceStateKind.Ready => ["READY"],
        ApplianceStateKind.Locked => ["LOCKED", "insert the key"],
        ApplianceStateKind.Paused => ["PAUSED", "hold to resume"],
        _ => [Common.Wire.Name(state).ToUpperInvariant()],
    };

    private IReadOnlyList<string> StateLines(ApplianceStateKind kind) =>
        _alerts.Count == 0 ? [.. IdleLines(kind), .. _notes] : [.. IdleLines(kind), $"ALERT {_alerts[^1]}", .. _notes];

    public void Dispose()
    {
        _state.Changed -= Refresh;
    }
}
