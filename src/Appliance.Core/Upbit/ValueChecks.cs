namespace Appliance.Upbit;

/// <summary>Character-level checks on parameter values, and safe echoing of untrusted text in messages.</summary>
internal static class ValueChecks
{
    public const string SafeCharsetText = "[A-Za-z0-9._~:+,-]";

    /// <summary>
    /// The characters a value may hold. Only <c>[A-Za-z0-9._-]</c> hash the same in every official Upbit sample: some
    /// Node samples hash URLSearchParams output without decoding it (so <c>~ : + ,</c> come out percent-encoded), and
    /// the old Java sample hashes URLEncoder output. <c>~ : + ,</c> are accepted too because Upbit's own text says to
    /// hash the query <em>not</em> URL-encoded, which is what the appliance does, and because time filters
    /// (<c>2024-01-01T00:00:00+09:00</c>) and comma lists (<c>pairs</c>) need them. Everything else (<c>&amp; = % space</c>,
    /// quotes, non-ASCII) is refused, so that what the policy judges, what is hashed and what Upbit parses are one string.
    /// </summary>
    public static bool IsSafe(char c) =>
        c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9')
            or '.' or '_' or '~' or ':' or '+' or ',' or '-';

    public static bool IsAllSafe(ReadOnlySpan<char> value, bool allowComma)
    {
        foreach (var c in value)
        {
            if (!IsSafe(c) || (!allowComma && c == ',')) return false;
        }
        return true;
    }

    public static bool IsInteger(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty) return false;
        foreach (var c in value)
        {
            if (c is < '0' or > '9') return false;
        }
        return true;
    }

    /// <summary>"1", "0.01", "100000000"; not ".5", "1.", "-1", "1e3".</summary>
    public static bool IsDecimal(ReadOnlySpan<char> value)
    {
        var dot = value.IndexOf('.');
        if (dot < 0) return IsInteger(value);
        return IsInteger(value[..dot]) && IsInteger(value[(dot + 1)..]);
    }
}
