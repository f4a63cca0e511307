namespace Appliance.Credentials;

/// <summary>Timing of the presence monitor and of touch-gated unsealing.</summary>
public sealed record TokenPresenceOptions
{
    /// <summary>ykcs11 has no slot events, so presence is polled; 250 ms keeps unplug-to-refusal under 0.5 s.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// A touch wait that fails after at least this long is a timeout (no touch), not a token fault:
    /// ykcs11 gives up after about 15 s with an error that looks like "not logged in".
    /// </summary>
    public TimeSpan TouchTimeoutAfter { get; init; } = TimeSpan.FromSeconds(14);

    /// <summary>Called with each per-use touch secret right after it was zeroed; tests check the buffer.</summary>
    internal Action<Common.SecretBytes>? SecretReleasedForTests { get; init; }
}
