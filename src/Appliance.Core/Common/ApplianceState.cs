namespace Appliance.Common;

/// <summary>Whether the appliance sends at all: ready, locked (no key) or paused (by the operator).</summary>
public enum ApplianceStateKind { Ready, Locked, Paused }

/// <summary>
/// Whether the appliance may sign at all right now. The token presence monitor and the pause
/// control write it; every request reads it before any policy work.
/// </summary>
public sealed class ApplianceState
{
    private volatile bool _tokenPresent = true;
    private volatile bool _paused;

    public bool TokenPresent
    {
        get => _tokenPresent;
        set { _tokenPresent = value; Changed?.Invoke(); }
    }

    public bool Paused
    {
        get => _paused;
        set { _paused = value; Changed?.Invoke(); }
    }

    public ApplianceStateKind Kind => !_tokenPresent ? ApplianceStateKind.Locked : _paused ? ApplianceStateKind.Paused : ApplianceStateKind.Ready;

    /// <summary>The wire name: "ready", "locked" or "paused".</summary>
    public string Name => Wire.Name(Kind);

    public event Action? Changed;

    public void EnsureCanSign()
    {
        if (!_tokenPresent) throw Refusals.KeyAbsent();
        if (_paused) throw Refusals.Paused();
    }
}
