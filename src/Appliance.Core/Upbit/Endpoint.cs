using System.Collections.Immutable;

namespace Appliance.Upbit;

/// <summary>One private Upbit REST endpoint and the parameters the appliance will sign for it.</summary>
public sealed class Endpoint
{
    public Endpoint(
        string method,
        string path,
        Scope scope,
        IEnumerable<ParamSpec> parameters,
        RateGroup rateGroup = RateGroup.Default,
        bool isWithdrawal = false,
        IEnumerable<ParamGroup>? groups = null,
        bool movesAssets = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(parameters);
        BodyKind = method switch
        {
            "GET" or "DELETE" => BodyKind.Query,
            "POST" => BodyKind.Json,
            _ => throw new ArgumentException($"Method '{method}' is not one of GET, POST, DELETE.", nameof(method)),
        };
        if (!path.StartsWith("/v1/", StringComparison.Ordinal))
            throw new ArgumentException($"Path '{path}' must start with /v1/.", nameof(path));

        var specs = parameters.ToImmutableArray();
        var byName = new Dictionary<string, ParamSpec>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            if (!byName.TryAdd(spec.Name, spec))
                throw new ArgumentException($"{method} {path} lists parameter '{spec.Name}' twice.", nameof(parameters));
            // How Upbit hashes an array inside a JSON body is undocumented, so no POST endpoint may take one.
            if (BodyKind == BodyKind.Json && spec.Kind == ParamKind.Array)
                throw new ArgumentException($"{method} {path}: array parameter '{spec.Name}' is not supported in a JSON body.", nameof(parameters));
        }

        var groupList = groups?.ToImmutableArray() ?? [];
        foreach (var name in groupList.SelectMany(g => g.Names))
        {
            if (!byName.ContainsKey(name))
                throw new ArgumentException($"{method} {path}: group names unknown parameter '{name}'.", nameof(groups));
        }

        Method = method;
        Path = path;
        Scope = scope;
        RateGroup = rateGroup;
        IsWithdrawal = isWithdrawal;
        // A withdrawal always moves assets; a pocket transfer moves them without being a withdrawal.
        MovesAssets = movesAssets || isWithdrawal;
        Params = specs;
        Groups = groupList;
        _byName = byName;
        AcceptedList = specs.IsEmpty ? "none" : string.Join(", ", specs.Select(s => s.Name));
    }

    private readonly Dictionary<string, ParamSpec> _byName;

    /// <summary>"GET", "POST" or "DELETE".</summary>
    public string Method { get; }

    /// <summary>Path including the version, e.g. "/v1/orders".</summary>
    public string Path { get; }

    /// <summary>The Upbit permission group the endpoint needs.</summary>
    public Scope Scope { get; }

    public RateGroup RateGroup { get; }

    /// <summary>True for requests that move money off the exchange (always need a physical approval).</summary>
    public bool IsWithdrawal { get; }

    /// <summary>
    /// True for requests that move assets out of the pocket the credential belongs to: withdrawals and the
    /// pocket transfers. Approval tiers always ask for a physical approval for these; no option turns it off.
    /// </summary>
    public bool MovesAssets { get; }

    public BodyKind BodyKind { get; }

    public ImmutableArray<ParamSpec> Params { get; }

    public ImmutableArray<ParamGroup> Groups { get; }

    /// <summary>Parameter names, comma-separated, for error messages.</summary>
    public string AcceptedList { get; }

    public bool TryGetParam(string name, out ParamSpec spec) => _byName.TryGetValue(name, out spec!);

    /// <summary>"POST /v1/orders".</summary>
    public override string ToString() => $"{Method} {Path}";
}
