namespace Appliance.Upbit;

/// <summary>
/// Upbit pockets (포켓): an account has a main pocket and up to five sub-pockets, each with its own
/// API keys. Exchange rate limits and 418 bans count per pocket, shared by every key in it
/// (upbit-api.md §4), so the appliance needs to know which pocket each credential's key belongs to.
/// Names follow the credential-name rule: they appear in files and messages.
/// </summary>
public static class Pockets
{
    /// <summary>The pocket of every credential that names none (all credentials sealed before pockets existed).</summary>
    public const string Main = "main";

    public const int MaxLength = Common.SafeNames.MaxLength;

    public static bool IsValid(string? name) => Common.SafeNames.IsValid(name);

    public static void Validate(string? name, string paramName)
    {
        if (!IsValid(name))
            throw new ArgumentException(
                $"Pocket name '{name}' is not allowed: use 1-{MaxLength} characters of a-z, 0-9, '_' or '-', starting with a letter or digit, " +
                $"e.g. '{Main}' or 'sub1' (one name per Upbit pocket whose keys you add).",
                paramName);
    }
}
