using System.Text.Json;
using System.Text.Json.Nodes;

namespace Appliance.Policy;

/// <summary>
/// The lowest version of each record that may still be loaded, as anchored in the audit log: a record older than
/// its floor was restored from a backup and is refused, so a revocation, a lowered cap or a removal cannot be undone
/// by putting an older signed file back. Floors only ever rise. Thread-safe.
/// </summary>
public sealed class PolicyFloors
{
    private readonly Lock _gate = new();
    private readonly Dictionary<PolicyRecordKey, long> _floors = [];

    public PolicyFloors() { }

    public PolicyFloors(IEnumerable<KeyValuePair<PolicyRecordKey, long>> floors)
    {
        foreach (var (key, version) in floors) Raise(key, version);
    }

    /// <summary>The anchored version of <paramref name="key"/>; 0 when none is anchored.</summary>
    public long Of(PolicyRecordKey key)
    {
        lock (_gate) return _floors.GetValueOrDefault(key);
    }

    /// <summary>Raises the floor of <paramref name="key"/> to <paramref name="version"/>; true when it rose.</summary>
    public bool Raise(PolicyRecordKey key, long version)
    {
        lock (_gate)
        {
            if (_floors.GetValueOrDefault(key) >= version) return false;
            _floors[key] = version;
            return true;
        }
    }

    public void RaiseAll(PolicyFloors other)
    {
        foreach (var (key, version) in other.ToList()) Raise(key, version);
    }

    public IReadOnlyList<KeyValuePair<PolicyRecordKey, long>> ToList()
    {
        lock (_gate) return _floors.OrderBy(f => f.Key.ToString(), StringComparer.Ordinal).ToList();
    }

    public int Count
    {
        get { lock (_gate) return _floors.Count; }
    }

    /// <summary>The floors as a JSON object, <c>{"bot/grid":4,"credential/main":2}</c>.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject();
        foreach (var (key, version) in ToList()) json[key.ToString()] = version;
        return json;
    }

    public static PolicyFloors FromJson(JsonElement json)
    {
        if (json.ValueKind != JsonValueKind.Object) throw new FormatException("Policy floors must be a JSON object.");
        var floors = new PolicyFloors();
        foreach (var member in json.EnumerateObject())
        {
            if (member.Value.ValueKind != JsonValueKind.Number || !member.Value.TryGetInt64(out var version) || version < 0)
                throw new FormatException($"Policy floor '{member.Name}' is not a version number.");
            floors.Raise(PolicyRecordKey.Parse(member.Name), version);
        }
        return floors;
    }
}
