using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace Appliance.Upbit;

/// <summary>How a parameter appears in a request.</summary>
public enum ParamKind
{
    /// <summary>At most once: <c>market=KRW-BTC</c>.</summary>
    Single,
    /// <summary>Key ends in "[]" and repeats: <c>states[]=wait&amp;states[]=watch</c>.</summary>
    Array,
    /// <summary>At most once, items joined by commas: <c>pairs=KRW-BTC,KRW-ETH</c>.</summary>
    CommaList,
}

/// <summary>Which characters a value (or each item of an array / comma list) may hold.</summary>
public enum ValueFormat
{
    /// <summary>[A-Za-z0-9._~:+,-]: see ValueChecks.IsSafe for why (only [A-Za-z0-9._-] hash alike in every official sample).</summary>
    Safe,
    /// <summary>Digits only.</summary>
    Integer,
    /// <summary>Digits with at most one inner '.', e.g. "0.01"; no sign, no exponent.</summary>
    Decimal,
    /// <summary>Only the values in <see cref="ParamSpec.AllowedValues"/>.</summary>
    OneOf,
}

/// <summary>The schema of one parameter of one endpoint.</summary>
public sealed partial class ParamSpec
{
    public const int DefaultMaxLength = 64;

    public ParamSpec(
        string name,
        bool required = false,
        ParamKind kind = ParamKind.Single,
        ValueFormat format = ValueFormat.Safe,
        int maxLength = DefaultMaxLength,
        int maxCount = 1,
        IEnumerable<string>? allowedValues = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!NamePattern().IsMatch(name))
            throw new ArgumentException($"Parameter name '{name}' must match [a-z_]+ with an optional '[]' suffix.", nameof(name));
        if (name.EndsWith("[]", StringComparison.Ordinal) != (kind == ParamKind.Array))
            throw new ArgumentException($"Parameter '{name}': a name ends in '[]' exactly when its kind is Array.", nameof(kind));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        if (kind == ParamKind.Single && maxCount != 1)
            throw new ArgumentException($"Parameter '{name}': a Single parameter has maxCount 1.", nameof(maxCount));

        var allowed = allowedValues?.ToImmutableArray() ?? [];
        if (format == ValueFormat.OneOf && allowed.IsEmpty)
            throw new ArgumentException($"Parameter '{name}': format OneOf needs allowedValues.", nameof(allowedValues));

        Name = name;
        Required = required;
        Kind = kind;
        Format = format;
        MaxLength = maxLength;
        MaxCount = maxCount;
        AllowedValues = allowed;
    }

    public string Name { get; }

    public bool Required { get; }

    public ParamKind Kind { get; }

    public ValueFormat Format { get; }

    /// <summary>Longest value in characters (for a comma list: the whole joined value).</summary>
    public int MaxLength { get; }

    /// <summary>Most repetitions (Array) or items (CommaList); 1 for Single.</summary>
    public int MaxCount { get; }

    /// <summary>
    /// Values always accepted. With <see cref="ValueFormat.OneOf"/> the only ones accepted; with another
    /// format, extra keywords (e.g. new_volume "remain_only" next to Decimal).
    /// </summary>
    public ImmutableArray<string> AllowedValues { get; }

    public override string ToString() => Name;

    /// <summary>Lowercase words and '_', optionally ending in "[]": the only names the appliance signs.</summary>
    // \z, not $: $ would also match before a trailing newline ("market\n").
    [GeneratedRegex(@"^[a-z_]+(\[\])?\z", RegexOptions.CultureInvariant)]
    internal static partial Regex NamePattern();
}

/// <summary>
/// Parameters that relate: between <see cref="Min"/> and <see cref="Max"/> of <see cref="Names"/> may be present
/// (e.g. exactly one of uuid, identifier).
/// </summary>
public sealed class ParamGroup
{
    public ParamGroup(int min, int max, params string[] names)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(min);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, Math.Max(min, 1));
        if (names.Length < 2) throw new ArgumentException("A group names at least two parameters.", nameof(names));
        Min = min;
        Max = max;
        Names = [.. names];
    }

    public static ParamGroup ExactlyOne(params string[] names) => new(1, 1, names);

    public static ParamGroup AtLeastOne(params string[] names) => new(1, names.Length, names);

    public static ParamGroup AtMostOne(params string[] names) => new(0, 1, names);

    public int Min { get; }

    public int Max { get; }

    public ImmutableArray<string> Names { get; }
}
