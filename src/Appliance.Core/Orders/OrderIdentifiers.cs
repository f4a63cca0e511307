using System.Security.Cryptography;
using System.Text;
using Appliance.Upbit;

namespace Appliance.Orders;

/// <summary>
/// Every order the appliance sends carries an identifier, so a bot can always look it up, even when
/// the answer was lost. One the bot did not give is derived from (bot, request_id), so a retry of the
/// same request names the same order (and Upbit, which never reuses an identifier, refuses a second one),
/// or is fresh when the bot sent no request_id.
/// </summary>
public static class OrderIdentifiers
{
    /// <summary>The parameter that names the order being placed, for endpoints that place one.</summary>
    public static string? KeyFor(Endpoint endpoint) => (endpoint.Method, endpoint.Path) switch
    {
        ("POST", "/v1/orders") => "identifier",
        ("POST", "/v1/orders/cancel_and_new") => "new_identifier",
        _ => null,
    };

    public static string Derive(string bot, string requestId) =>
        "apl-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(bot + "\n" + requestId)))[..32];

    public static string Fresh() => "apl-" + Guid.NewGuid().ToString("N");

    /// <summary>The params with the order's identifier filled in when missing; the identifier either way.</summary>
    public static (IReadOnlyList<UpbitParam> Params, string? Identifier) Ensure(Endpoint endpoint, IReadOnlyList<UpbitParam> parameters,
        string bot, string? requestId)
    {
        if (KeyFor(endpoint) is not { } key) return (parameters, null);
        var given = parameters.FirstOrDefault(p => p.Key == key).Value;
        if (given is not null) return (parameters, given);
        var identifier = string.IsNullOrEmpty(requestId) ? Fresh() : Derive(bot, requestId);
        return ([.. parameters, new UpbitParam(key, identifier)], identifier);
    }
}
