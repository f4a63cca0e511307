namespace Appliance.Panel;

/// <summary>
/// The lines a display shows for an approval, at most 16 characters each so a 16x2 LCD shows
/// every line whole. The address is cut into numbered lines of three 4-character groups
/// ("1:bc1q w508 d6qe") that the operator compares, group by group, with the address they expect.
/// </summary>
public static class ApprovalText
{
    public const int GroupSize = 4;
    public const int GroupsPerLine = 3;
    private const string LineMarks = "123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    public static IReadOnlyList<string> Lines(ApprovalPrompt prompt)
    {
        var lines = new List<string> { $"APPROVE? {prompt.Operation}", $"bot {prompt.Bot}" };
        if (prompt.Currency is not null || prompt.Network is not null)
            lines.Add(prompt.Network is null || prompt.Network == prompt.Currency
                ? $"{prompt.Currency}"
                : $"{prompt.Currency} on {prompt.Network}");
        if (prompt.Amount is not null) lines.Add($"amt {prompt.Amount}");
        if (prompt.Address is not null) lines.AddRange(AddressLines(prompt.Address));
        return lines;
    }

    /// <summary>"1:abcd efgh ijkl", "2:mnop qr"; numbered 1-9 then A-Z.</summary>
    public static IReadOnlyList<string> AddressLines(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var perLine = GroupSize * GroupsPerLine;
        var count = (address.Length + perLine - 1) / perLine;
        if (count > LineMarks.Length)
            throw new ArgumentException($"An address of {address.Length} characters is too long to show on the panel.", nameof(address));
        var lines = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var part = address.Substring(i * perLine, Math.Min(perLine, address.Length - i * perLine));
            var groups = part.Chunk(GroupSize).Select(g => new string(g));
            lines.Add($"{LineMarks[i]}:{string.Join(' ', groups)}");
        }
        return lines;
    }
}
