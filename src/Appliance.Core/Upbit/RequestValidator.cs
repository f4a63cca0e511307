using Appliance.Common;

namespace Appliance.Upbit;

/// <summary>
/// Checks a bot's request against the endpoint catalog before anything is judged or signed. Every refusal is a
/// <see cref="SignRefusal"/> of kind InvalidArgument whose message names the fix; values are never echoed.
/// </summary>
public static class RequestValidator
{
    /// <summary>Validates against <see cref="EndpointCatalog.Default"/> and returns the matched endpoint.</summary>
    public static Endpoint Validate(string method, string path, IReadOnlyList<UpbitParam> parameters) =>
        Validate(EndpointCatalog.Default, method, path, parameters);

    public static Endpoint Validate(EndpointCatalog catalog, string method, string path, IReadOnlyList<UpbitParam> parameters)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(parameters);
        if (!catalog.TryFind(method, path, out var endpoint))
        {
            throw Refuse(Reasons.UnknownEndpoint,
                $"'{ValueChecks.Echo(method)} {ValueChecks.Echo(path)}' is not a private Upbit endpoint the appliance signs; "
                + "use one of GET, POST, DELETE with a documented path including /v1 and without a query string, e.g. GET /v1/accounts.");
        }

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var param in parameters)
        {
            var key = param.Key ?? "";
            if (!ParamSpec.NamePattern().IsMatch(key))
            {
                throw Refuse(Reasons.UnknownParam,
                    $"Parameter name '{ValueChecks.Echo(key)}' is malformed; use lowercase letters and '_' with an optional '[]' suffix, "
                    + $"one of those accepted by {endpoint}: {endpoint.AcceptedList}.");
            }
            if (!endpoint.TryGetParam(key, out var spec))
            {
                throw Refuse(Reasons.UnknownParam,
                    $"Parameter '{key}' is not accepted by {endpoint}; accepted: {endpoint.AcceptedList}.");
            }

            var count = counts[key] = counts.GetValueOrDefault(key) + 1;
            if (count > 1 && spec.Kind != ParamKind.Array)
            {
                var how = spec.Kind == ParamKind.CommaList ? " with its items joined by commas" : "";
                throw Refuse(Reasons.DuplicateParam, $"Parameter '{key}' appears more than once in {endpoint}; send it once{how}.");
            }
            if (count > spec.MaxCount)
            {
                throw Refuse(Reasons.TooManyValues,
                    $"Parameter '{key}' is repeated more than {spec.MaxCount} times; split the request into smaller ones.");
            }
            CheckValue(spec, param.Value ?? "");
        }

        foreach (var spec in endpoint.Params)
        {
            if (spec.Required && !counts.ContainsKey(spec.Name))
                throw Refuse(Reasons.MissingParam, $"Parameter '{spec.Name}' is required by {endpoint}; add it.");
        }
        foreach (var group in endpoint.Groups)
        {
            var present = group.Names.Count(counts.ContainsKey);
            var names = string.Join(", ", group.Names);
            if (present < group.Min)
                throw Refuse(Reasons.MissingParam, $"{endpoint} needs one of {names}; add one.");
            if (present > group.Max)
                throw Refuse(Reasons.BadParamValue, $"{endpoint} takes only one of {names}; leave the others out.");
        }

        OrderTypeRules.Check(endpoint, parameters);
        return endpoint;
    }

    private static void CheckValue(ParamSpec spec, string value)
    {
        var name = spec.Name;
        if (value.Length == 0)
            throw Refuse(Reasons.BadParamValue, $"Parameter '{name}' is empty; send a value or leave the parameter out.");
        if (value.Length > spec.MaxLength)
            throw Refuse(Reasons.ParamTooLong, $"Parameter '{name}' is longer than {spec.MaxLength} characters; shorten it.");
        if (spec.AllowedValues.Contains(value, StringComparer.Ordinal))
            return;
        if (spec.Format == ValueFormat.OneOf)
            throw Refuse(Reasons.BadParamValue, $"Parameter '{name}' must be one of {string.Join(", ", spec.AllowedValues)}.");
        if (!ValueChecks.IsAllSafe(value, allowComma: true))
        {
            throw Refuse(Reasons.BadParamValue,
                $"Parameter '{name}' holds a character outside {ValueChecks.SafeCharsetText}; send the plain (not URL-encoded) value using only these characters.");
        }

        if (spec.Kind == ParamKind.CommaList)
        {
            var items = value.Split(',');
            if (items.Length > spec.MaxCount)
                throw Refuse(Reasons.TooManyValues, $"Parameter '{name}' lists more than {spec.MaxCount} items; send fewer.");
            if (items.Any(i => i.Length == 0))
                throw Refuse(Reasons.BadParamValue, $"Parameter '{name}' has an empty item; separate items by single commas with none at the ends.");
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
        throw Refuse(Reasons.BadParamValue, $"Parameter '{spec.Name}' must be {expected}{extra}.");
    }

    internal static SignRefusal Refuse(string reason, string message) => SignRefusal.Invalid(reason, message);
}
