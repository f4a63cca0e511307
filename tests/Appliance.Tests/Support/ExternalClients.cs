using System.Diagnostics;
using Appliance.Tests.EndToEnd;

namespace Appliance.Tests.Support;

/// <summary>
/// Stock clients in other languages, run as real processes: Node with the pinned ccxt and undici
/// (npm ci in examples/node) and Debian's python3-requests. ./test.sh installs both. Where one is
/// really absent a developer's run skips with the reason; under CI (CI set) it fails instead, so a
/// missing install step can never pass as green.
/// </summary>
internal static class ExternalClients
{
    public static string Repo => StockClientTests.RepoRoot();

    public static string NodeExample(string name) => Path.Combine(Repo, "examples", "node", name);

    public static string PythonExample(string name) => Path.Combine(Repo, "examples", "python", name);

    /// <summary>node on PATH and ccxt + undici installed in examples/node.</summary>
    public static void RequireCcxt()
    {
        var modules = Path.Combine(Repo, "examples", "node", "node_modules");
        if (!OnPath("node")) Missing("node is not installed (apt-get install nodejs npm)");
        if (!File.Exists(Path.Combine(modules, "ccxt", "package.json")) || !File.Exists(Path.Combine(modules, "undici", "package.json")))
            Missing("ccxt/undici are not installed in examples/node (cd examples/node && npm ci)");
    }

    /// <summary>/usr/bin/python3 with the requests module.</summary>
    public static void RequirePythonRequests()
    {
        if (!File.Exists("/usr/bin/python3")) Missing("/usr/bin/python3 is not installed (apt-get install python3-requests)");
        using var probe = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-c", "import requests"])
            { RedirectStandardError = true, RedirectStandardOutput = true })!;
        probe.WaitForExit(30_000);
        if (probe.ExitCode != 0) Missing("python3-requests is not installed (apt-get install python3-requests)");
    }

    /// <summary>Runs a program to its end (bounded), returning its exit code and stdout + stderr.</summary>
    public static async Task<(int Code, string Output)> RunAsync(string program, IEnumerable<string> args, TimeSpan? timeout = null)
    {
        var process = Start(program, args);
        return await CompleteAsync(process, timeout);
    }

    public static Process Start(string program, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        return Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start; run ./test.sh, which installs it");
    }

    public static async Task<(int Code, string Output)> CompleteAsync(Process process, TimeSpan? timeout = null)
    {
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(120));
            try { await process.WaitForExitAsync(limit.Token); }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{process.StartInfo.FileName} did not finish in time; output so far: {await stdout}{await stderr}");
            }
            return (process.ExitCode, await stdout + await stderr);
        }
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, program)));

    private static void Missing(string why)
    {
        var message = $"{why}; ./test.sh installs it.";
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))) Assert.Fail(message);
        Assert.Skip(message);
    }
}
