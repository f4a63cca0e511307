using Appliance.Panel;
using Appliance.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Appliance.Common;

namespace Appliance.Admin;

/// <summary>
/// Pause and resume of all signing, from the admin socket or a long press on the approve button.
/// The LEDs that show it are drawn by the PanelController from the state.
/// </summary>
public sealed class PauseControl : IDisposable
{
    private readonly ApplianceState _state;
    private readonly IPanel? _panel;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();

    public PauseControl(ApplianceState state, IPanel? panel, ILogger? logger = null)
    {
        _state = state;
        _panel = panel;
        _logger = logger ?? NullLogger.Instance;
        if (_panel is not null) _panel.ButtonPressed += OnButton;
    }

    public ApplianceState State => _state;

    public void Pause(string by) => Set(true, by);

    public void Resume(string by) => Set(false, by);

    /// <summary>Pauses a running appliance or resumes a paused one; returns the new paused state.</summary>
    public bool Toggle(string by)
    {
        lock (_lock)
        {
            var paused = !_state.Paused;
            Set(paused, by);
            return paused;
        }
    }

    private void Set(bool paused, string by)
    {
        lock (_lock)
        {
            if (_state.Paused == paused) return;
            _state.Paused = paused;
        }
        _logger.LogWarning("signing {Action} by {By}", paused ? "PAUSED" : "resumed", by);
    }

    private void OnButton(ButtonEvent e)
    {
        if (e is { Button: PanelButton.Approve, Kind: PressKind.Hold }) Toggle("long press on the panel");
    }

    public void Dispose()
    {
        if (_panel is not null) _panel.ButtonPressed -= OnButton;
    }
}
