namespace Appliance.Common;

/// <summary>
/// A cheap summary of a directory's matching files (name, mtime, size), so a poller can tell that
/// another process (the CLI) changed them without reading every file. Atomic writes rename a new
/// file into place, so any change shows.
/// </summary>
public static class DirectoryFingerprint
{
    public static string Of(string directory, string pattern)
    {
        if (!Directory.Exists(directory)) return "none";
        var parts = Directory.EnumerateFiles(directory, pattern)
            .Order(StringComparer.Ordinal)
            .Select(f => $"{f}:{File.GetLastWriteTimeUtc(f).Ticks}:{new FileInfo(f).Length}");
        return string.Join('|', parts);
    }
}
