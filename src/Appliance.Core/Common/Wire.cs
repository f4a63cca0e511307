using System.Reflection;
using System.Text;

namespace Appliance.Common;

/// <summary>Names an enum member on the wire (JSON, CLI, audit, gRPC strings) when kebab-case of its name is not it.</summary>
[AttributeUsage(AttributeTargets.Field)]
public sealed class WireNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>
/// The one mapping between enums and their wire names: kebab-case of the member name (ViewAssets →
/// "view-assets", OrderCancelAll → "order-cancel-all"), or its <see cref="WireNameAttribute"/>.
/// </summary>
public static class Wire
{
    public static string Name<T>(T value) where T : struct, Enum =>
        Names<T>.ToWire.TryGetValue(value, out var name)
            ? name
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"Not a defined {typeof(T).Name} value.");

    public static bool TryParse<T>(string? text, out T value) where T : struct, Enum
    {
        value = default;
        return text is not null && Names<T>.FromWire.TryGetValue(text, out value);
    }

    /// <summary>Parses a wire name (exact); throws ArgumentException naming the valid ones.</summary>
    public static T Parse<T>(string text, string what) where T : struct, Enum =>
        TryParse<T>(text, out var value)
            ? value
            : throw new ArgumentException($"Unknown {what} '{Refusals.Echo(text)}'; use one of: {List<T>()}.", what);

    /// <summary>Every wire name, comma-separated, for help and error text.</summary>
    public static string List<T>() where T : struct, Enum => string.Join(", ", Names<T>.ToWire.Values);

    private static string Kebab(string name)
    {
        var text = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0 && !char.IsUpper(name[i - 1])) text.Append('-');
            text.Append(char.ToLowerInvariant(name[i]));
        }
        return text.ToString();
    }

    // Built once per enum type from its metadata: immutable after that.
    private static class Names<T> where T : struct, Enum
    {
        public static readonly IReadOnlyDictionary<T, string> ToWire = typeof(T).GetFields(BindingFlags.Public | BindingFlags.Static)
            .ToDictionary(f => (T)f.GetValue(null)!, f => f.GetCustomAttribute<WireNameAttribute>()?.Name ?? Kebab(f.Name));

        public static readonly IReadOnlyDictionary<string, T> FromWire = ToWire.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
    }
}
