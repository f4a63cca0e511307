using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Appliance.Panel;

namespace Appliance.Devices.Panels;

/// <summary>
/// The test panel (DESIGN.md "Operator CLI"): a unix socket, mode 0600, taking one command per
/// line: <c>press approve</c>, <c>press reject</c>, <c>hold approve</c> (answered "ok" once the
/// button event has been delivered) and <c>state</c> (answered with one JSON line, see
/// <see cref="PanelSnapshot"/>). Anything else is answered "error ...". It is a software approve
/// button, so <c>serve</c> only allows it for demo data dirs (<see cref="PanelFactory"/>).
/// </summary>
public sealed class SocketPanel : IPanel
{
    public const int MaxLineLength = 256;

    private readonly Socket _listener;
    private readonly string _path;
    private readonly ILogger _logger;
    private readonly LedBoard _leds;
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private IReadOnlyList<string> _text = [];

    private SocketPanel(Socket listener, string path, TimeProvider time, ILogger logger)
    {
        _listener = listener;
        _path = path;
        _logger = logger;
        _leds = new LedBoard(time, TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(60), write: null);
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Listens at <paramref name="path"/> (DATA_DIR/panel.sock), replacing a stale socket left by a crash.</summary>
    public static SocketPanel Start(string path, TimeProvider time, ILogger? logger = null)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("The test panel needs unix sockets with file modes; use --panel console.");
        var full = Path.GetFullPath(path);
        RemoveStale(full);
        // Bind under a temporary name, restrict it, then rename: the socket is never reachable
        // at its real path with looser permissions.
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".panel-{Guid.NewGuid().ToString("N")[..8]}.sock");
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(temp));
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.Move(temp, full, overwrite: false);
            listener.Listen(8);
        }
        catch
        {
            listener.Dispose();
            File.Delete(temp);
            throw;
        }
        return new SocketPanel(listener, full, time, logger ?? NullLogger.Instance);
    }

    private static void RemoveStale(string path)
    {
        if (!File.Exists(path)) return;
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException)
        {
            File.Delete(path); // nobody listens: left over from a process that died
            return;
        }
        throw new InvalidOperationException($"Another process is serving the test panel at {path}; stop it first.");
    }

    public string SocketPath => _path;

    public event Action<ButtonEvent>? ButtonPressed;

    public PanelSnapshot Snapshot() { lock (_lock) return PanelSnapshot.Of(_leds, _text); }

    public void SetLed(Led led, bool on) => _leds.Set(led, on);

    public void BlinkLed(Led led) => _leds.Blink(led);

    public void Pulse(Led led) => _leds.Pulse(led);

    public void ShowText(IReadOnlyList<string> lines) { lock (_lock) _text = lines.ToList(); }

    /// <summary>The answer to one command line.</summary>
    public string Handle(string line)
    {
        var e = PanelCommands.Parse(line);
        if (e is null) return Snapshot().ToJson();
        ButtonPressed?.Invoke(e);
        return "ok";
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _listener.AcceptAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using var _ = client;
        await using var stream = new NetworkStream(client, ownsSocket: false);
        var line = new List<byte>(64);
        var buffer = new byte[512];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var read = await stream.ReadAsync(buffer, _stop.Token);
                if (read == 0) return;
                for (var i = 0; i < read; i++)
                {
                    if (buffer[i] != (byte)'\n')
                    {
                        line.Add(buffer[i]);
                        if (line.Count <= MaxLineLength) continue;
                        await ReplyAsync(stream, $"error line longer than {MaxLineLength} bytes");
                        CloseGracefully(client);
                        return;
                    }
                    var text = Encoding.UTF8.GetString(line.ToArray()).TrimEnd('\r');
                    line.Clear();
                    string answer;
                    try { answer = Handle(text); }
                    catch (ArgumentException e) { answer = $"error {e.Message}"; }
                    catch (Exception e) when (e is InvalidOperationException)
                    {
                        _logger.LogWarning("Test panel command '{Command}' failed: {Error}", text, e.Message);
                        answer = $"error {e.Message}";
                    }
                    await ReplyAsync(stream, answer);
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // the client went away or the panel is stopping
        }
    }

    /// <summary>Closing with unread input would reset the connection and lose the error line: send FIN, drop what is queued.</summary>
    private static void CloseGracefully(Socket client)
    {
        client.Shutdown(SocketShutdown.Send);
        var sink = new byte[4096];
        for (var drained = 0; client.Available > 0 && drained < 1 << 20;)
            drained += client.Receive(sink);
    }

    private async Task ReplyAsync(NetworkStream stream, string answer) =>
        await stream.WriteAsync(Encoding.UTF8.GetBytes(answer + "\n"), _stop.Token);

    public void Dispose()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        _listener.Dispose();
        try { _acceptLoop.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
        try { File.Delete(_path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        _leds.Dispose();
        _stop.Dispose();
    }
}
