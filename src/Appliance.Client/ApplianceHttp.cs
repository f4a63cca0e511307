namespace Appliance.Client;

/// <summary>
/// An HttpClient for the appliance's Upbit-compatible HTTPS front: write Upbit requests exactly as for
/// api.upbit.com (query string for GET and DELETE, a flat JSON object for POST) and get Upbit's answer.
/// The bundle's certificate identifies the bot; there is no token and no Authorization header.
/// Set <c>X-Request-Id</c> to make a retry safe: the appliance never sends the same id twice.
/// </summary>
public static class ApplianceHttp
{
    /// <summary>Above the appliance's approval timeout (60 s by default): a withdrawal waits for a person.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(90);

    /// <summary>
    /// A client whose BaseAddress is the front: <paramref name="endpoint"/> when given, else bot.json's
    /// endpoint (the same listener as gRPC). It presents the bundle's certificate and trusts only the
    /// bundle's CA. It speaks HTTP/2 when the front offers it, HTTP/1.1 otherwise. The caller disposes it;
    /// it owns its handler, not the bundle.
    /// </summary>
    public static HttpClient CreateClient(ApplianceBundle bundle, Uri? endpoint = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        return new HttpClient(ApplianceTls.CreateHandler(bundle), disposeHandler: true)
        {
            BaseAddress = endpoint ?? bundle.Endpoint,
            DefaultRequestVersion = System.Net.HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
            Timeout = timeout ?? DefaultTimeout,
        };
    }
}
