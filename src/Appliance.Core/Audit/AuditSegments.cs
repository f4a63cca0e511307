using System.Globalization;
using System.IO.Compression;
using System.Text.RegularExpressions;

namespace Appliance.Audit;

/// <summary>
/// Segment files of DATA_DIR/audit: audit-00000001.jsonl, audit-00000002.jsonl, … in chain order. A closed
/// segment may be gzip-compressed by retention (audit-00000001.jsonl.gz: the same bytes, compressed);
/// readers take either. After a crash between writing the .gz and deleting the .jsonl both exist: they hold
/// the same records and the .jsonl is used.
/// </summary>
public static partial class AuditSegments
{
    public const string CompressedSuffix = ".gz";

    public static string FileName(int index) => $"audit-{index:D8}.jsonl";

    public static string PathOf(string directory, int index) => Path.Combine(directory, FileName(index));

    public static string CompressedPathOf(string directory, int index) => PathOf(directory, index) + CompressedSuffix;

    public static bool IsCompressed(string path) => path.EndsWith(CompressedSuffix, StringComparison.Ordinal);

    /// <summary>The segments present, ordered by index (one path per index: the .jsonl if both forms exist).</summary>
    public static IReadOnlyList<(int Index, string Path)> List(string directory)
    {
        if (!Directory.Exists(directory)) return [];
        var found = new SortedDictionary<int, string>();
        foreach (var path in Directory.EnumerateFiles(directory, "audit-*.jsonl*"))
        {
            var match = Pattern().Match(Path.GetFileName(path));
            if (!match.Success) continue;
            var index = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            if (!found.TryGetValue(index, out var existing) || IsCompressed(existing)) found[index] = path;
        }
        return found.Select(kv => (kv.Key, kv.Value)).ToList();
    }

    /// <summary>The segment's bytes, decompressed if it is a .gz.</summary>
    public static byte[] ReadAllBytes(string path)
    {
        if (!IsCompressed(path)) return File.ReadAllBytes(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var bytes = new MemoryStream();
        gzip.CopyTo(bytes);
        return bytes.ToArray();
    }

    /// <summary>The first complete line of a segment (without "\n"), reading only as much as it takes; null if it has none.</summary>
    public static byte[]? ReadFirstLine(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using Stream stream = IsCompressed(path) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var line = new MemoryStream();
        var buffer = new byte[4096];
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            var nl = Array.IndexOf(buffer, (byte)'\n', 0, n);
            if (nl >= 0)
            {
                line.Write(buffer, 0, nl);
                return line.ToArray();
            }
            line.Write(buffer, 0, n);
            if (line.Length > 1 << 20) return null; // no record is that long
        }
        return null;
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

    [GeneratedRegex(@"^audit-(\d{8})\.jsonl(\.gz)?$")]
    private static partial Regex Pattern();
}
