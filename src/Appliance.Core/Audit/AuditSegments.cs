using System.Globalization;
using System.Text.RegularExpressions;

namespace Appliance.Audit;

/// <summary>Segment files of DATA_DIR/audit: audit-00000001.jsonl, audit-00000002.jsonl, … in chain order.</summary>
public static partial class AuditSegments
{
    public static string FileName(int index) => $"audit-{index:D8}.jsonl";

    public static string PathOf(string directory, int index) => Path.Combine(directory, FileName(index));

    /// <summary>The segments present, ordered by index.</summary>
    public static IReadOnlyList<(int Index, string Path)> List(string directory)
    {
        if (!Directory.Exists(directory)) return [];
        return Directory.EnumerateFiles(directory, "audit-*.jsonl")
            .Select(p => (Match: Pattern().Match(Path.GetFileName(p)), Path: p))
            .Where(m => m.Match.Success)
            .Select(m => (int.Parse(m.Match.Groups[1].Value, CultureInfo.InvariantCulture), m.Path))
            .OrderBy(s => s.Item1)
            .ToList();
    }

    /// <summary>The complete lines of a segment (without "\n") and the bytes after the last "\n", if any.</summary>
    public static (List<ReadOnlyMemory<byte>> Lines, int TornBytes) ReadLines(byte[] bytes)
    {
        var lines = new List<ReadOnlyMemory<byte>>();
        var start = 0;
        while (start < bytes.Length)
        {
            var nl = Array.IndexOf(bytes, (byte)'\n', start);
            if (nl < 0) break;
            lines.Add(bytes.AsMemory(start, nl - start));
            start = nl + 1;
        }
        return (lines, bytes.Length - start);
    }

    [GeneratedRegex(@"^audit-(\d{8})\.jsonl$")]
    private static partial Regex Pattern();
}
