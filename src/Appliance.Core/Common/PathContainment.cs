namespace Appliance.Common;

/// <summary>
/// Whether one path lies inside a directory once symbolic links are followed, so that
/// <c>/tmp/link/x</c> with <c>/tmp/link -> /var/lib/appliance</c> counts as inside the data dir.
/// Parts that do not exist yet are taken literally.
/// </summary>
public static class PathContainment
{
    public static bool IsWithin(string path, string directory)
    {
        var real = RealPath(path);
        var root = RealPath(directory);
        var relative = Path.GetRelativePath(root, real);
        return relative == "."
            || !(relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) || Path.IsPathRooted(relative));
    }

    /// <summary>The absolute path with every existing symbolic link on the way resolved.</summary>
    public static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full) ?? "/";
        var resolved = root;
        var parts = new Queue<string>(full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries));
        // Bounds a link cycle the same way the kernel does (ELOOP after 40 links).
        for (var links = 0; parts.Count > 0;)
        {
            var next = Path.Combine(resolved, parts.Dequeue());
            var info = new FileInfo(next);
            if (info.LinkTarget is { } target && ++links <= 40)
            {
                var targetFull = Path.GetFullPath(target, resolved);
                var rest = parts.ToArray();
                parts.Clear();
                var targetRoot = Path.GetPathRoot(targetFull) ?? "/";
                foreach (var p in targetFull[targetRoot.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries)) parts.Enqueue(p);
                foreach (var p in rest) parts.Enqueue(p);
                resolved = targetRoot;
                continue;
            }
            resolved = Path.GetFullPath(next);
        }
        return resolved;
    }
}
