using System.Globalization;

namespace Appliance.Bench;

/// <summary>
/// Runs several targets in many short alternating slices (the order reversed every other slice), so
/// all of them see the same background load on a shared machine; adds up each target's samples.
/// </summary>
internal static class Slices
{
    public static async Task<Dictionary<string, Samples>> AlternateAsync(IReadOnlyList<Target> targets, int slices,
        Func<Target, Task<Samples>> run)
    {
        var totals = targets.ToDictionary(t => t.Name, _ => new Samples());
        for (var slice = 0; slice < slices; slice++)
            foreach (var t in slice % 2 == 0 ? targets : targets.Reverse())
                totals[t.Name].AddRange(await run(t));
        return totals;
    }

    public static string Ms(double ms) => ms.ToString("F2", CultureInfo.InvariantCulture);

    public static string Machine() =>
        $"{Environment.ProcessorCount} cores, .NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}; " +
        $"load average (1, 5, 15 min) now: {LoadAverage()}";

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3]) : "?";

    public static double Arg(string[] args, string name, double fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? double.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    public static string Arg(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    public static string FreshDir(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) Directory.Delete(full, recursive: true);
        Directory.CreateDirectory(full);
        return full;
    }
}
