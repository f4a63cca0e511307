using System.Globalization;

namespace Appliance.StandIn;

/// <summary>
/// Typed access to a request's decoded parameters, with Upbit's errors: a missing required one is 400
/// validation_error with Upbit's exact "Missing request parameter" message; a bad value is 400
/// validation_error with a sentence naming the fix.
/// </summary>
internal sealed class RequestArgs(IReadOnlyList<KeyValuePair<string, string>> pairs)
{
    public IReadOnlyList<KeyValuePair<string, string>> Pairs { get; } = pairs;

    /// <summary>A single-valued parameter, or null; an empty value counts as absent (JSON null renders as empty).</summary>
    public string? Get(string name)
    {
        string? found = null;
        foreach (var (key, value) in Pairs)
        {
            if (key != name)
            {
                continue;
            }

            if (found is not null)
            {
                throw UpbitRejection.Validation($"'{name}' is given more than once; send it once");
            }

            found = value;
        }

        return string.IsNullOrEmpty(found) ? null : found;
    }

    public string Required(string name) => Get(name) ?? throw UpbitRejection.Missing(name);

    /// <summary>The values of an array parameter, e.g. "uuids[]" (repeat the key per value).</summary>
    public IReadOnlyList<string> All(string arrayName) =>
        [.. Pairs.Where(p => p.Key == arrayName && p.Value.Length > 0).Select(p => p.Value)];

    public string? OneOf(string name, params string[] allowed)
    {
        var value = Get(name);
        if (value is not null && !allowed.Contains(value, StringComparer.Ordinal))
        {
            throw UpbitRejection.Validation($"{name} '{value}' is not valid; use one of: {string.Join(", ", allowed)}");
        }

        return value;
    }

    /// <summary>A positive decimal ("0.01", "1e-7" as ccxt sends withdraw amounts), or null when absent.</summary>
    public decimal? Positive(string name)
    {
        var text = Get(name);
        if (text is null)
        {
            return null;
        }

        if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            throw UpbitRejection.Validation($"{name} '{text}' is not a positive number; send a decimal such as \"0.01\"");
        }

        return value;
    }

    public decimal RequiredPositive(string name) => Positive(name) ?? throw UpbitRejection.Missing(name);

    public int Int(string name, int fallback, int min, int max)
    {
        var text = Get(name);
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw UpbitRejection.Validation($"{name} '{text}' is out of range; send an integer from {min} to {max}");
        }

        return value;
    }

    /// <summary>A time filter: ISO 8601 (with offset) or Unix milliseconds (ccxt sends ms).</summary>
    public DateTimeOffset? Time(string name)
    {
        var text = Get(name);
        if (text is null)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
        {
            return DateTimeOffset.FromUnixTimeMilliseconds(ms);
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t
            : throw UpbitRejection.Validation($"{name} '{text}' is not a time; send ISO 8601 like 2024-01-01T00:00:00+09:00 or Unix milliseconds");
    }

    /// <summary>order_by: "desc" (default, newest first) or "asc".</summary>
    public bool Ascending() => OneOf("order_by", "asc", "desc") == "asc";
}
