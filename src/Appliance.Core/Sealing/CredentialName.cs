namespace Appliance.Sealing;

/// <summary>
/// Credential names: <c>[a-z0-9][a-z0-9_-]{0,63}</c>. They become file names
/// (credentials/NAME.sealed.json) and part of the HKDF info, so the rule keeps both unambiguous.
/// </summary>
public static class CredentialName
{
    public const int MaxLength = Common.SafeNames.MaxLength;

    public static bool IsValid(string? name) => Common.SafeNames.IsValid(name);

    public static void Validate(string? name, string paramName)
    {
        if (!IsValid(name))
            throw new ArgumentException(
                $"Credential name '{name}' is not allowed: use 1-{MaxLength} characters of a-z, 0-9, '_' or '-', starting with a letter or digit.",
                paramName);
    }
}
