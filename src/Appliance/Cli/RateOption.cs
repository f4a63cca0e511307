using System.Globalization;

namespace Appliance.Cli;

/// <summary><c>--rate N/s</c>: requests per second, as "10/s", "0.5/s" or a bare "10".</summary>
internal static class RateOption
{
    public const string Usage = "--rate must be requests per second such as 10/s or 0.5/s.";

    public static double? Parse(string text)
    {
        var number = text.Trim();
        if (number.EndsWith("/s", StringComparison.OrdinalIgnoreCase)) number = number[..^2].TrimEnd();
        return double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : null;
    }
}
