namespace Appliance.Policy;

/// <summary>Names of bots and credentials become file names, so they are kept to a small alphabet.</summary>
public static class BotNames
{
    public static bool IsValid(string? name) => Common.SafeNames.IsValid(name);

    public static void Validate(string name, string what = "bot")
    {
        if (!IsValid(name))
            throw new ArgumentException(
                $"'{name}' is not a valid {what} name; use 1-64 lowercase letters, digits, '-' or '_', starting with a letter or digit.",
                nameof(name));
    }
}
