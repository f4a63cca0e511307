using Appliance.Upbit;

namespace Appliance.Pipeline;

/// <summary>Signing options from appliance.json; defaults are the documented ones.</summary>
public sealed record SignerOptions
{
    /// <summary>How far a bot's client_time may be from the appliance clock.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>HS512 as Upbit documents; HS256 is what ccxt and pyupbit send, and also works.</summary>
    public JwtAlgorithm JwtAlgorithm { get; init; } = JwtAlgorithm.HS512;

    /// <summary>Sending is refused before it starts when less of the caller's deadline is left than this.</summary>
    public TimeSpan MinimumSendTime { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The largest answer taken from Upbit; a larger one is dropped (UPSTREAM_TOO_LARGE).</summary>
    public int MaxUpstreamBytes { get; init; } = 4 << 20;

    /// <summary>Request ids remembered per bot within the replay window.</summary>
    public int ReplayCapacityPerBot { get; init; } = 100_000;
}
