namespace Appliance.Client;

/// <summary>
/// An HttpClient for the appliance's Upbit-compatible HTTPS front: write Upbit requests exactly as for
/// api.upbit.com (query string for GET and DELETE, a flat JSON object for POST) and get Upbit's answer.
/// The bundle's certificate identifies the bot; there is no token and no Authorization header.
/// Set <c>X-Request-Id</c> to make a retry safe: the appliance never sends the same id twice.
/// </summary>
public static class ApplianceHttp
{
    /// <summary>A client whose BaseAddress is the front (bot.json's endpoint). The caller disposes it; it owns its handler.</summary>
    public static HttpClient CreateClient(ApplianceBundle bundle, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        return new HttpClient(ApplianceTls.CreateHandler(bundle), disposeHandler: true)
        {
            BaseAddress = bundle.Endpoint,
            // Above the approval timeout (60 s by default): a withdrawal waits for a person.
            Timeout = timeout ?? TimeSpan.FromSeconds(90),
        };
    }
}
