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

    /// <summary>The version of Upbit's API reference the catalog follows (docs.upbit.com, checked 2026-11-29).</summary>
    public const string UpbitApiVersion = "1.7.0";

    /// <summary>Upbit's private endpoints as documented in reference <see cref="UpbitApiVersion"/> (see UpbitEndpoints for sources).</summary>
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
