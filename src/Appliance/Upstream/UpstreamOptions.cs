namespace Appliance.Upstream;

/// <summary>Where and how the appliance reaches Upbit.</summary>
public sealed record UpstreamOptions(Uri BaseAddress)
{
    /// <summary>Upbit's API hosts: the only ones appliance.json may name (anyone who can write the data dir must not redirect signed requests).</summary>
    public static readonly IReadOnlySet<string> UpbitHosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        { "api.upbit.com", "sg-api.upbit.com", "id-api.upbit.com", "th-api.upbit.com" };

    public static readonly Uri DefaultBase = new("https://api.upbit.com");

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public int MaxAnswerBytes { get; init; } = 4 << 20;

    /// <summary>
    /// The upstream for <paramref name="url"/>: an https Upbit host from appliance.json, or anything when
    /// <paramref name="insecureTestUpstream"/> is given on the command line (tests, the demo's stand-in).
    /// </summary>
    public static UpstreamOptions For(string? url, bool insecureTestUpstream)
    {
        if (string.IsNullOrEmpty(url)) return new UpstreamOptions(DefaultBase);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(uri.Query) || uri.AbsolutePath != "/")
            throw new ArgumentException($"'{url}' is not an exchange base URL; use https://api.upbit.com (no path, no query).");
        if (!insecureTestUpstream && (uri.Scheme != "https" || !UpbitHosts.Contains(uri.Host) || !uri.IsDefaultPort))
            throw new ArgumentException(
                $"'{url}' is not one of Upbit's API hosts ({string.Join(", ", UpbitHosts)}) over https; another upstream needs 'serve --upbit-url URL --insecure-test-upstream' (tests only).");
        return new UpstreamOptions(uri);
    }
}
