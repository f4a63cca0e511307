namespace Appliance.Common;

/// <summary>
/// The one rule for names that become file names and appear in messages (bots, credentials, pockets):
/// <c>[a-z0-9][a-z0-9_-]{0,63}</c>, nothing else (no trailing newline, no dots, no path separators).
/// </summary>
public static class SafeNames
{
    public const int MaxLength = 64;

    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength || !IsLowerAlnum(name[0])) return false;
        foreach (var c in name)
            if (!IsLowerAlnum(c) && c is not ('_' or '-')) return false;
        return true;
    }

    private static bool IsLowerAlnum(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
}
