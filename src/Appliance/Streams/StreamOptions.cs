using Appliance.Upbit;

namespace Appliance.Streams;

/// <summary>How the relay reaches Upbit's private WebSocket and how it treats bots.</summary>
public sealed record StreamOptions(Uri SocketUri)
{
    public const string PrivatePath = "/websocket/v1/private";

    /// <summary>Upbit closes a connection after 120 s without data; a text PING every 60 s keeps it well inside that.</summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Largest message taken from either side (a bot's frame, an upstream event); larger ones are refused or dropped.</summary>
    public int MaxFrameBytes { get; init; } = SubscriptionFrames.MaxFrameBytes;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Reconnects wait this long after a failure, doubling up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Upbit allows 5 WebSocket connects per second; the appliance as a whole stays within that.</summary>
    public int ConnectsPerSecond { get; init; } = 5;

    public int MaxStreamsPerBot { get; init; } = 8;

    public JwtAlgorithm JwtAlgorithm { get; init; } = JwtAlgorithm.HS512;

    /// <summary>The private WebSocket beside the REST base URL: https → wss, http (the stand-in) → ws.</summary>
    public static StreamOptions For(Uri restBase)
    {
        ArgumentNullException.ThrowIfNull(restBase);
        var scheme = restBase.Scheme switch
        {
            "https" => "wss",
            "http" => "ws",
            _ => throw new ArgumentException($"'{restBase}' is not an http(s) base URL; give the exchange's REST base, e.g. https://api.upbit.com.", nameof(restBase)),
        };
        return new StreamOptions(new UriBuilder(restBase) { Scheme = scheme, Path = PrivatePath, Query = "" }.Uri);
    }
}
