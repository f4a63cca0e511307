using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Appliance.StandIn.Tests.Socket;

/// <summary>
/// A minimal RFC 6455 client over a bare TCP socket, so tests can send ping frames and see pong and
/// close frames that ClientWebSocket handles out of sight.
/// </summary>
internal sealed class RawWebSocket : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawWebSocket(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    /// <summary>Connects and upgrades; returns the socket and the HTTP status line of the handshake answer.</summary>
    public static async Task<(RawWebSocket Socket, string StatusLine)> ConnectAsync(Uri ws, string? jwt)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(ws.Host, ws.Port);
        var socket = new RawWebSocket(tcp);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = $"GET {ws.AbsolutePath} HTTP/1.1\r\nHost: {ws.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n" + (jwt is null ? "" : $"Authorization: Bearer {jwt}\r\n") + "\r\n";
        await socket._stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await socket._stream.ReadAsync(one) == 0)
            {
                break;
            }

            head.Append((char)one[0]);
        }

        return (socket, head.ToString().Split("\r\n")[0]);
    }

    /// <summary>Sends one masked frame (clients must mask). Opcodes: 1 text, 2 binary, 8 close, 9 ping.</summary>
    public async Task SendAsync(int opcode, byte[] payload)
    {
        var frame = new List<byte> { (byte)(0x80 | opcode) };
        if (payload.Length < 126)
        {
            frame.Add((byte)(0x80 | payload.Length));
        }
        else
        {
            frame.Add(0x80 | 126);
            frame.Add((byte)(payload.Length >> 8));
            frame.Add((byte)payload.Length);
        }

        var mask = RandomNumberGenerator.GetBytes(4);
        frame.AddRange(mask);
        frame.AddRange(payload.Select((b, i) => (byte)(b ^ mask[i % 4])));
        await _stream.WriteAsync(frame.ToArray());
    }

    public Task SendTextAsync(string text) => SendAsync(1, Encoding.UTF8.GetBytes(text));

    /// <summary>Reads one server frame (unmasked); null when the connection ended.</summary>
    public async Task<(int Opcode, byte[] Payload)?> ReceiveAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            var header = await ReadExactlyAsync(2, cts.Token);
            long length = header[1] & 0x7F;
            if (length == 126)
            {
                var ext = await ReadExactlyAsync(2, cts.Token);
                length = (ext[0] << 8) | ext[1];
            }
            else if (length == 127)
            {
                var ext = await ReadExactlyAsync(8, cts.Token);
                length = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(ext);
            }

            return (header[0] & 0x0F, await ReadExactlyAsync((int)length, cts.Token));
        }
        catch (EndOfStreamException)
        {
            return null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }

    private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken ct)
    {
        var buffer = new byte[count];
        await _stream.ReadExactlyAsync(buffer, ct);
        return buffer;
    }
}
