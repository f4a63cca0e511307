namespace Appliance.Sealing;

/// <summary>
/// Credential names: <c>[a-z0-9][a-z0-9_-]{0,63}</c>. They become file names
/// (credentials/NAME.sealed.json) and part of the HKDF info, so the rule keeps both unambiguous.
/// </summary>
public static class CredentialName
{
    public const int MaxLength = 64;

    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength) return false;
        if (!IsLowerAlnum(name[0])) return false;
        foreach (var c in name)
            if (!IsLowerAlnum(c) && c is not ('_' or '-')) return false;
        return true;
    }

    public static void Validate(string? name, string paramName)
    {
        if (!IsValid(name))
            throw new ArgumentException(
                $"Credential name '{name}' is not allowed: use 1-{MaxLength} characters of a-z, 0-9, '_' or '-', starting with a letter or digit.",
                paramName);
    }

    private static bool IsLowerAlnum(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
}
