using System.Collections.Immutable;

namespace Appliance.Upbit;

/// <summary>The private Upbit REST endpoints the appliance signs for. Immutable.</summary>
public sealed class EndpointCatalog
{
    private readonly Dictionary<string, Endpoint> _byKey;

    public EndpointCatalog(IEnumerable<Endpoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        All = endpoints.ToImmutableArray();
        _byKey = new Dictionary<string, Endpoint>(StringComparer.Ordinal);
        foreach (var endpoint in All)
        {
            if (!_byKey.TryAdd(Key(endpoint.Method, endpoint.Path), endpoint))
                throw new ArgumentException($"Endpoint {endpoint} is listed twice.", nameof(endpoints));
        }
    }

    /// <summary>Upbit's private endpoints as documented (see UpbitEndpoints for sources and omissions).</summary>
    public static EndpointCatalog Default { get; } = new(UpbitEndpoints.Build());

    public ImmutableArray<Endpoint> All { get; }

    /// <summary>Finds an endpoint: the method is matched case-insensitively, the path exactly.</summary>
    public bool TryFind(string? method, string? path, out Endpoint endpoint)
    {
        if (string.IsNullOrEmpty(method) || string.IsNullOrEmpty(path))
        {
            endpoint = null!;
            return false;
        }
        return _byKey.TryGetValue(Key(method.ToUpperInvariant(), path), out endpoint!);
    }

    private static string Key(string method, string path) => method + " " + path;
}
