using Appliance.Fuzz;
using SharpFuzz;

// Appliance.Fuzz TARGET                  under afl-fuzz: SharpFuzz's persistent loop, one input per run from stdin
// Appliance.Fuzz replay TARGET PATH...   runs files (or every file of a folder) once each, printing what escapes
// Appliance.Fuzz list                    the targets
if (args is ["list"])
{
    foreach (var t in FuzzTargets.All) Console.WriteLine($"{t.Name,-18} {t.Summary}");
    return 0;
}
if (args is ["replay", var name, .. var paths] && paths.Length > 0)
    return Replay.Run(FuzzTargets.Get(name), paths);
if (args is not [var targetName])
{
    Console.Error.WriteLine("usage: Appliance.Fuzz TARGET | replay TARGET PATH... | list");
    return 2;
}

var target = FuzzTargets.Get(targetName);
var buffer = new byte[FuzzTargets.MaxInputBytes];
Fuzzer.Run(stream =>
{
    var length = 0;
    for (int read; length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0;)
        length += read;
    target.Run(buffer[..length]);
});
return 0;

internal static class Replay
{
    public static int Run(FuzzTarget target, string[] paths)
    {
        var files = paths.SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories) : [p])
            .Where(f => !Path.GetFileName(f).StartsWith('.') && !f.EndsWith("README.txt", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        var failed = 0;
        foreach (var file in files)
        {
            var input = File.ReadAllBytes(file);
            if (input.Length > FuzzTargets.MaxInputBytes) input = input[..FuzzTargets.MaxInputBytes];
            try
            {
                target.Run(input);
            }
            catch (Exception e)
            {
                failed++;
                Console.WriteLine($"CRASH {file}\n{e}\n");
            }
        }
        Console.WriteLine($"{target.Name}: {files.Count} inputs, {failed} crashed");
        return failed == 0 ? 0 : 1;
    }
}
