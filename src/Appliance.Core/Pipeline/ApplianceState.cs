using Appliance.Common;

namespace Appliance.Pipeline;

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

    /// <summary>"ready", "locked" (no token) or "paused".</summary>
    public string Name => !_tokenPresent ? "locked" : _paused ? "paused" : "ready";

    public event Action? Changed;

    public void EnsureCanSign()
    {
        if (!_tokenPresent)
            throw Refusals.KeyAbsent();
        if (_paused)
            throw Refusals.Paused();
    }
}
