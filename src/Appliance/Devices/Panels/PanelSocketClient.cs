using System.Net.Sockets;
using System.Text;

namespace Appliance.Devices.Panels;

/// <summary>Talks to a <see cref="SocketPanel"/>: what a test (or a person with socat) does with the buttons.</summary>
public sealed class PanelSocketClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;

    private PanelSocketClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new StreamReader(_stream, Encoding.UTF8);
    }

    public static async Task<PanelSocketClient> ConnectAsync(string path, CancellationToken cancellationToken = default)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
            return new PanelSocketClient(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends one line and returns the one-line answer.</summary>
    public async Task<string> SendAsync(string line, CancellationToken cancellationToken = default)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), cancellationToken);
        return await _reader.ReadLineAsync(cancellationToken)
            ?? throw new IOException("The panel socket closed without answering.");
    }

    public Task PressApproveAsync(CancellationToken cancellationToken = default) => ExpectOkAsync("press approve", cancellationToken);
    public Task PressRejectAsync(CancellationToken cancellationToken = default) => ExpectOkAsync("press reject", cancellationToken);
    public Task HoldApproveAsync(CancellationToken cancellationToken = default) => ExpectOkAsync("hold approve", cancellationToken);

    public async Task<PanelSnapshot> StateAsync(CancellationToken cancellationToken = default) =>
        PanelSnapshot.Parse(await SendAsync("state", cancellationToken));

    private async Task ExpectOkAsync(string command, CancellationToken cancellationToken)
    {
        var answer = await SendAsync(command, cancellationToken);
        if (answer != "ok") throw new InvalidOperationException($"The panel answered '{answer}' to '{command}'.");
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}
