using System.Globalization;

namespace Appliance.StandIn;

/// <summary>How Upbit writes numbers and times: NumberString decimals, KST (+09:00) ISO 8601 times.</summary>
internal static class Wire
{
    private static readonly TimeSpan Kst = TimeSpan.FromHours(9);

    public static string Num(decimal value) => value.ToString("0.############################", CultureInfo.InvariantCulture);

    public static string? Num(decimal? value) => value is { } v ? Num(v) : null;

    public static string Time(DateTimeOffset t) => t.ToOffset(Kst).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    public static string? Time(DateTimeOffset? t) => t is { } v ? Time(v) : null;

    public static long Millis(DateTimeOffset t) => t.ToUnixTimeMilliseconds();

    public static decimal Round8(decimal value) => Math.Round(value, 8, MidpointRounding.ToZero);
}
