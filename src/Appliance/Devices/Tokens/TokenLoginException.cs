namespace Appliance.Devices.Tokens;

/// <summary>
/// The token refused the PIN (wrong, blocked, expired). A separate type because whoever reopens a
/// token automatically (the presence monitor) must never try that PIN again: a YubiKey blocks its
/// PIN after three wrong tries.
/// </summary>
public sealed class TokenLoginException(string message) : InvalidOperationException(message);
