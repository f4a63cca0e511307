using System.Text.RegularExpressions;

namespace Appliance.Policy;

/// <summary>Names of bots and credentials become file names, so they are kept to a small alphabet.</summary>
public static partial class BotNames
{
    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$")]
    private static partial Regex NamePattern();

    public static bool IsValid(string? name) => !string.IsNullOrEmpty(name) && NamePattern().IsMatch(name);

    public static void Validate(string name, string what = "bot")
    {
        if (string.IsNullOrEmpty(name) || !NamePattern().IsMatch(name))
            throw new ArgumentException(
                $"'{name}' is not a valid {what} name; use 1-64 lowercase letters, digits, '-' or '_', starting with a letter or digit.",
                nameof(name));
    }
}
