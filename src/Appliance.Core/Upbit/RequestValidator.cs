using Appliance.Common;

namespace Appliance.Upbit;

/// <summary>
/// Checks a bot's request against the endpoint catalog before anything is judged or signed. Every refusal is a
/// <see cref="SignRefusal"/> of kind InvalidArgument whose message names the fix; values are never echoed.
/// </summary>
public static class RequestValidator
{
    public const int MaxParams = WireRequestParser.MaxParams;
    public const int MaxKeyLength = 64;
    public const int MaxValueLength = 512;

    /// <summary>Validates against <see cref="EndpointCatalog.Default"/> and returns the matched endpoint.</summary>
    public static Endpoint Validate(string method, string path, IReadOnlyList<UpbitParam> parameters) =>
        Validate(EndpointCatalog.Default, method, path, parameters);

    public static Endpoint Validate(EndpointCatalog catalog, string method, string path, IReadOnlyList<UpbitParam> parameters)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(parameters);
        // Bounds for any request, before the catalog's own (tighter) limits: nothing unbounded is judged, logged or audited.
        if (parameters.Count > MaxParams) throw Refusals.TooManyParams(MaxParams);
        foreach (var (key, value) in parameters)
        {
            if ((key?.Length ?? 0) > MaxKeyLength) throw Refusals.ParamTooLong(key!, MaxKeyLength);
            if ((value?.Length ?? 0) > MaxValueLength) throw Refusals.ParamTooLong(key ?? "", MaxValueLength);
        }
        if (!catalog.TryFind(method, path, out var endpoint))
        {
            throw Refusals.UnknownEndpoint(method, path);
        }

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var param in parameters)
        {
            var key = param.Key ?? "";
            if (!ParamSpec.NamePattern().IsMatch(key))
            {
                throw Refusals.MalformedParamName(key, endpoint.ToString(), endpoint.AcceptedList);
            }
            if (!endpoint.TryGetParam(key, out var spec))
            {
                throw Refusals.UnknownParam(key, endpoint.ToString(), endpoint.AcceptedList);
            }

            var count = counts[key] = counts.GetValueOrDefault(key) + 1;
            if (count > 1 && spec.Kind != ParamKind.Array)
            {
                throw Refusals.DuplicateParam(key, endpoint.ToString(), spec.Kind == ParamKind.CommaList);
            }
            if (count > spec.MaxCount)
            {
                throw Refusals.TooManyRepeats(key, spec.MaxCount);
            }
            CheckValue(spec, param.Value ?? "");
        }

        foreach (var spec in endpoint.Params)
        {
            if (spec.Required && !counts.ContainsKey(spec.Name))
                throw Refusals.MissingParam(spec.Name, $"by {endpoint}");
        }
        foreach (var group in endpoint.Groups)
        {
            var present = group.Names.Count(counts.ContainsKey);
            var names = string.Join(", ", group.Names);
            if (present < group.Min)
                throw Refusals.MissingOneOf(endpoint.ToString(), names);
            if (present > group.Max)
                throw Refusals.OnlyOneOf(endpoint.ToString(), names);
        }

        OrderTypeRules.Check(endpoint, parameters);
        CurrencyRules.Check(endpoint, parameters);
        return endpoint;
    }

    private static void CheckValue(ParamSpec spec, string value)
    {
        var name = spec.Name;
        if (value.Length == 0)
            throw Refusals.EmptyParam(name);
        if (value.Length > spec.MaxLength)
            throw Refusals.ParamTooLong(name, spec.MaxLength);
        if (spec.AllowedValues.Contains(value, StringComparer.Ordinal))
            return;
        if (spec.Format == ValueFormat.OneOf)
            throw Refusals.NotOneOf(name, spec.AllowedValues);
        if (!ValueChecks.IsAllSafe(value, allowComma: true))
        {
            throw Refusals.UnsafeCharacter(name, ValueChecks.SafeCharsetText);
        }

        if (spec.Kind == ParamKind.CommaList)
        {
            var items = value.Split(',');
            if (items.Length > spec.MaxCount)
                throw Refusals.TooManyItems(name, spec.MaxCount);
            if (items.Any(i => i.Length == 0))
                throw Refusals.EmptyListItem(name);
            foreach (var item in items) CheckFormat(spec, item);
            return;
        }
        CheckFormat(spec, value);
    }

    private static void CheckFormat(ParamSpec spec, string value)
    {
        var ok = spec.Format switch
        {
            ValueFormat.Integer => ValueChecks.IsInteger(value),
            ValueFormat.Decimal => ValueChecks.IsDecimal(value),
            _ => true,
        };
        if (ok) return;
        var expected = spec.Format == ValueFormat.Integer
            ? "a whole number in digits, e.g. 10"
            : "a decimal number in digits with at most one '.', e.g. 0.01";
        var extra = spec.AllowedValues.IsEmpty ? "" : $" or {string.Join(" or ", spec.AllowedValues)}";
        throw Refusals.BadFormat(spec.Name, expected + extra);
    }
}
