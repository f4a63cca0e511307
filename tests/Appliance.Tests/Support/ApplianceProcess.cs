using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Appliance.Tests.Support;

/// <summary>
/// Runs the real `appliance` executable (appliance.dll beside the test assembly) as a child process,
/// as an operator would, capturing its output.
/// </summary>
public sealed class ApplianceProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _lock = new();

    private ApplianceProcess(Process process) => _process = process;

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "appliance.dll");

    public string Output { get { lock (_lock) return _output.ToString(); } }

    public static ApplianceProcess Start(IEnumerable<string> args, string? stdin = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Dll);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        var process = new Process { StartInfo = info };
        var self = new ApplianceProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (self._lock) self._output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (self._lock) self._output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (stdin is not null) process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        return self;
    }

    /// <summary>Runs to completion and returns the exit code and everything printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null)
    {
        using var p = Start(args, stdin);
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        await p._process.WaitForExitAsync(cts.Token);
        p._process.WaitForExit(); // flush the async readers
        return (p._process.ExitCode, p.Output);
    }

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

    public bool HasExited => _process.HasExited;

    public void Kill() { if (!_process.HasExited) _process.Kill(entireProcessTree: true); _process.WaitForExit(); }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
