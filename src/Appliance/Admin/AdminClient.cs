using System.Net.Sockets;
using System.Text;

namespace Appliance.Admin;

/// <summary>The CLI side of the admin socket: one command, one reply.</summary>
public static class AdminClient
{
    public static async Task<AdminReply> SendAsync(string socketPath, string command, CancellationToken cancellationToken)
    {
        if (!File.Exists(socketPath))
            throw new InvalidOperationException($"No appliance server is running here ({socketPath} does not exist); start it with 'appliance serve'.");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AccessDenied)
        {
            throw new UnauthorizedAccessException($"No permission to use {socketPath}; run this as root or as the user the appliance runs as.", e);
        }
        catch (SocketException e)
        {
            throw new InvalidOperationException($"No appliance server answers on {socketPath} ({e.SocketErrorCode}); start it with 'appliance serve'.", e);
        }
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
        using var reader = new StreamReader(stream, Encoding.UTF8);
        await writer.WriteLineAsync(command.AsMemory(), cancellationToken);
        var line = await reader.ReadLineAsync(cancellationToken)
            ?? throw new InvalidOperationException($"The appliance server closed {socketPath} without answering; check its log.");
        var reply = AdminReply.Parse(line);
        if (!reply.Ok)
            throw new InvalidOperationException(reply.Error ?? "The appliance server refused the command; check its log.");
        return reply;
    }
}
