using System.Collections;
using System.Reflection;

namespace Appliance.Fuzz;

/// <summary>
/// What an accepted object must honour: every property can be read, and none that its type declares non-null
/// (nor any element of such a list) is null. JSON can say <c>null</c> anywhere, and the serializer does not
/// stop it by default, so a parser that accepts such a file hands a NullReferenceException to whoever reads it later.
/// </summary>
public static class Accepted
{
    private const int MaxDepth = 4;

    public static void Check(object value, string name) => Walk(value, name, 0);

    private static void Walk(object value, string where, int depth)
    {
        var type = value.GetType();
        if (depth > MaxDepth || !IsApplianceType(type)) return;
        var nullability = new NullabilityInfoContext();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0) continue;
            object? child;
            try { child = property.GetValue(value); }
            catch (TargetInvocationException e) when (e.InnerException is { } inner)
            {
                throw new FuzzFinding($"reading {where}.{property.Name} of an accepted object throws {inner.GetType().Name}: {inner.Message}");
            }
            var info = nullability.Create(property);
            if (child is null)
            {
                if (info.ReadState == NullabilityState.NotNull && !property.PropertyType.IsValueType)
                    throw new FuzzFinding($"{where}.{property.Name} is null in an accepted object, though its type says it never is");
                continue;
            }
            if (child is IEnumerable items and not string)
            {
                var element = info.ElementType ?? (info.GenericTypeArguments.Length == 1 ? info.GenericTypeArguments[0] : null);
                var index = 0;
                foreach (var item in items)
                {
                    if (item is null && element?.ReadState == NullabilityState.NotNull)
                        throw new FuzzFinding($"{where}.{property.Name}[{index}] is null in an accepted object, though its type says it never is");
                    if (item is not null) Walk(item, $"{where}.{property.Name}[{index}]", depth + 1);
                    index++;
                }
                continue;
            }
            Walk(child, $"{where}.{property.Name}", depth + 1);
        }
    }

    private static bool IsApplianceType(Type type) =>
        type.Namespace is { } ns && (ns == "Appliance" || ns.StartsWith("Appliance.", StringComparison.Ordinal)) && !type.IsEnum;
}
