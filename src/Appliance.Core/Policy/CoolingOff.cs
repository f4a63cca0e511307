using System.Globalization;
using System.Text.RegularExpressions;

namespace Appliance.Policy;

/// <summary>
/// How long a new withdrawal address waits before a bot may use it (<c>cooling_off</c> in appliance.json, signed with
/// the policy keys): a duration like <c>24h</c>, <c>90m</c>, <c>30s</c> or <c>0s</c> (no wait). Default 24 h: long
/// enough for the operator to see the alert for an address they did not add, and revoke the bot.
/// </summary>
public static partial class CoolingOff
{
    public const string Default = "24h";

    public static readonly TimeSpan Max = TimeSpan.FromDays(30);

    /// <summary>The period, or an <see cref="ArgumentException"/> that says how to write it.</summary>
    public static TimeSpan Parse(string? text)
    {
        var match = text is null ? null : Duration().Match(text);
        if (match is not { Success: true }
            || !double.TryParse(match.Groups["n"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
            throw new ArgumentException($"appliance.json: 'cooling_off' is '{text}'; write a duration with its unit, e.g. \"24h\", \"90m\" or \"0s\" (no wait).");
        var period = match.Groups["unit"].Value switch
        {
            "h" => TimeSpan.FromHours(n),
            "m" => TimeSpan.FromMinutes(n),
            _ => TimeSpan.FromSeconds(n),
        };
        if (period > Max)
            throw new ArgumentException($"appliance.json: 'cooling_off' of {text} is longer than {Max.TotalDays:0} days; remove the address instead of parking it.");
        return period;
    }

    [GeneratedRegex(@"^(?<n>[0-9]{1,6}(\.[0-9]{1,3})?)(?<unit>[hms])$", RegexOptions.CultureInvariant)]
    private static partial Regex Duration();
}
