namespace Appliance.StandIn;

/// <summary>The stand-in's pending fault rules. Thread-safe; each matching request uses up one count.</summary>
public sealed class StandInFaults
{
    private readonly Lock _gate = new();
    private readonly List<(StandInFault Rule, int Left)> _rules = [];

    /// <summary>Queues a rule behind those already pending.</summary>
    public void Add(StandInFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        lock (_gate)
        {
            _rules.Add((fault, fault.Count));
        }
    }

    /// <summary>Drops every pending rule.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
        }
    }

    /// <summary>How many faults are still to be applied, over all rules.</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _rules.Sum(r => r.Left);
            }
        }
    }

    /// <summary>Takes one use of the first rule that matches, or null.</summary>
    internal StandInFault? Take(string method, string path)
    {
        lock (_gate)
        {
            for (var i = 0; i < _rules.Count; i++)
            {
                var (rule, left) = _rules[i];
                if (!rule.Matches(method, path))
                {
                    continue;
                }

                if (left == 1)
                {
                    _rules.RemoveAt(i);
                }
                else
                {
                    _rules[i] = (rule, left - 1);
                }

                return rule;
            }

            return null;
        }
    }
}
