namespace Appliance.Devices.Tokens;

public enum TokenPresenceChange
{
    /// <summary>The token went away: every secret was zeroed and signing is locked.</summary>
    Removed,

    /// <summary>The pinned token is back, its credentials are unsealed again and signing resumed.</summary>
    Restored,

    /// <summary>A token came back that is not the pinned one (other serial or keys); signing stays locked.</summary>
    Refused,

    /// <summary>Reopening failed (PIN refused, module error, unseal failed); signing stays locked.</summary>
    ReopenFailed,
}

/// <summary>What the presence monitor reports to the audit log, LEDs and the process log. Holds no secret.</summary>
public sealed record TokenPresenceEvent(TokenPresenceChange Change, string? Serial, string Message, DateTimeOffset Time);
