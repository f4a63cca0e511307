using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Appliance.Tests.Support;

/// <summary>
/// The real `appliance` executable in its own process (`dotnet appliance.dll demo …`), so a test can
/// SIGKILL it the way a power cut or the OOM killer would, and SIGTERM it the way systemd stops it;
/// and one-shot commands (`sign`, …) run to completion as an operator would run them.
/// </summary>
public sealed class ApplianceProcess : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _output = [];

    private ApplianceProcess(Process process) => _process = process;

    public int Port { get; private init; }
    public Uri Address => new($"https://127.0.0.1:{Port}");
    public bool HasExited => _process.HasExited;
    public int ProcessId => _process.Id;
    public string Output { get { lock (_output) return string.Join('\n', _output); } }

    /// <summary>Starts `appliance demo` on a free port and waits until it listens; <paramref name="upbitUrl"/> replaces its in-process stand-in.</summary>
    /// <param name="wrapper">A command that runs the appliance (e.g. prlimit …), or null to run dotnet directly.</param>
    public static async Task<ApplianceProcess> StartDemoAsync(string dataDir, string secret, TimeSpan timeout, Uri? upbitUrl = null,
        IReadOnlyList<string>? wrapper = null)
    {
        var port = FreePort();
        string[] command = [.. wrapper ?? [], "dotnet", FindApplianceDll(), "demo", "--data-dir", dataDir, "--listen", $"127.0.0.1:{port}", "--secret-stdin"];
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in command[1..])
            start.ArgumentList.Add(a);
        if (upbitUrl is not null)
        {
            start.ArgumentList.Add("--upbit-url");
            start.ArgumentList.Add(upbitUrl.ToString());
        }
        var process = new Process { StartInfo = start };
        var app = new ApplianceProcess(process) { Port = port };
        process.OutputDataReceived += (_, e) => app.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => app.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await process.StandardInput.WriteLineAsync(secret);
        process.StandardInput.Close();
        try
        {
            await app._listening.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            app.Dispose();
            throw new TimeoutException($"appliance did not listen within {timeout}; its output:\n{app.Output}");
        }
        return app;
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_output) _output.Add(line);
        if (line.StartsWith("listening on", StringComparison.Ordinal)) _listening.TrySetResult();
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM and wait for a clean exit; returns the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        if (kill(_process.Id, 15) != 0) throw new InvalidOperationException($"kill -TERM {_process.Id} failed");
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    /// <summary>appliance.dll as built beside the test assembly, else under src/Appliance/bin.</summary>
    public static string FindApplianceDll()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "appliance.dll");
        if (File.Exists(beside) && File.Exists(Path.Combine(AppContext.BaseDirectory, "appliance.runtimeconfig.json"))) return beside;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var bin = Path.Combine(dir.FullName, "src", "Appliance", "bin");
            if (!Directory.Exists(bin)) continue;
            var found = Directory.EnumerateFiles(bin, "appliance.dll", SearchOption.AllDirectories)
                .Where(p => File.Exists(Path.ChangeExtension(p, ".runtimeconfig.json")))
                .OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault();
            if (found is not null) return found;
        }
        throw new FileNotFoundException($"appliance.dll was not found beside {AppContext.BaseDirectory} nor under src/Appliance/bin; build the solution first.");
    }

    /// <summary>Waits until the process has printed <paramref name="text"/>.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited) throw new InvalidOperationException($"appliance exited ({_process.ExitCode}) before printing '{text}':\n{Output}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"appliance did not print '{text}' within {timeout}:\n{Output}");
            await Task.Delay(50);
        }
    }

    /// <summary>Runs `appliance ARGS` to completion; the exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> args, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(FindApplianceDll());
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(timeout ?? TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout + await stderr);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    public void Dispose()
    {
        try { if (!_process.HasExited) { _process.Kill(); _process.WaitForExit(5000); } }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
