namespace Appliance.Fuzz;

/// <summary>An input the code under test got wrong in a way no exception type shows: an invariant that broke.</summary>
public sealed class FuzzFinding(string message) : Exception(message);

/// <summary>Which exceptions are a correct refusal.</summary>
public static class Refusal
{
    /// <summary>
    /// True when <paramref name="e"/> was thrown by the appliance's own code. A documented type thrown from inside a
    /// library (an ArgumentException from a Dictionary, a FormatException from int.Parse) means bad input reached
    /// the library unchecked, and its message was not written for the operator: that is a finding too.
    /// </summary>
    public static bool ThrownByAppliance(Exception e) =>
        e.TargetSite?.DeclaringType?.Namespace is { } ns && (ns == "Appliance" || ns.StartsWith("Appliance.", StringComparison.Ordinal));
}
