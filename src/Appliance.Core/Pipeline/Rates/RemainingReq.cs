using System.Globalization;
using Appliance.Upbit;

namespace Appliance.Pipeline;

/// <summary>
/// Upbit's <c>Remaining-Req</c> answer header, e.g. <c>group=default; min=1800; sec=29</c>: <c>sec</c> is
/// what is left of the group's budget this second; <c>min</c> is deprecated and fixed, so it is ignored.
/// </summary>
public readonly record struct RemainingReq(RateGroup? Group, string GroupName, int Second)
{
    private const int MaxHeaderLength = 256;

    /// <summary>
    /// Parses the header leniently in form (spaces, field order, unknown fields) but strictly in what it
    /// uses: a missing or non-numeric <c>sec</c> gives false. <see cref="Group"/> is null when the header
    /// names no group or one the appliance does not know (e.g. "origin").
    /// </summary>
    public static bool TryParse(string? header, out RemainingReq value)
    {
        value = default;
        if (string.IsNullOrEmpty(header) || header.Length > MaxHeaderLength) return false;
        string? group = null;
        int? second = null;
        foreach (var part in header.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0) continue;
            var key = part[..eq].Trim();
            var text = part[(eq + 1)..].Trim();
            if (key.Equals("group", StringComparison.OrdinalIgnoreCase)) group = text;
            else if (key.Equals("sec", StringComparison.OrdinalIgnoreCase)
                && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var s))
                second = s;
        }
        if (second is not { } remaining) return false;
        value = new RemainingReq(RateGroups.TryFromWire(group, out var known) ? known : null, group ?? "", remaining);
        return true;
    }
}
