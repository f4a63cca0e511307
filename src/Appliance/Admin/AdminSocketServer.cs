using System.Net.Sockets;
using System.Text;
using Appliance.Approval;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Appliance.Pipeline;

namespace Appliance.Admin;

/// <summary>
/// The local admin socket DATA_DIR/admin.sock (mode 0600): <c>appliance pause|resume|status</c>
/// talk to the running server through it. Only root or the server's own user get an answer
/// (checked with SO_PEERCRED on Linux, on top of the file mode).
/// </summary>
public sealed class AdminSocketServer(string path, PauseControl pause, IApprovalGate approvals, ILogger<AdminSocketServer> logger,
    Func<CancellationToken, Task>? reloadPolicy = null)
    : IHostedService, IAsyncDisposable
{
    /// <summary>sun_path holds 108 bytes including the terminating NUL.</summary>
    internal const int MaxPathBytes = 107;

    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stop = new();
    private Socket? _listener;
    private Task _accepting = Task.CompletedTask;

    public string Path => path;

    /// <summary>The audit log's disk figures for <c>status</c>; null when the server has no file audit log.</summary>
    public Func<Audit.AuditDiskReport>? AuditDisk { get; init; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Encoding.UTF8.GetByteCount(path) > MaxPathBytes)
            throw new InvalidOperationException(
                $"The admin socket path {path} is longer than a unix socket allows ({MaxPathBytes} bytes); use a shorter --data-dir.");
        await RemoveStaleSocket(cancellationToken);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            listener.Listen(8);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        _listener = listener;
        _accepting = AcceptLoop(listener, _stop.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_listener is null) return;
        await _stop.CancelAsync();
        _listener.Dispose();
        try { await _accepting.WaitAsync(cancellationToken); }
        catch (OperationCanceledException) { }
        try { File.Delete(path); } catch (IOException) { }
        _listener = null;
    }

    private async Task RemoveStaleSocket(CancellationToken cancellationToken)
    {
        if (!File.Exists(path)) return;
        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                await probe.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
                throw new InvalidOperationException(
                    $"Another appliance server answers on {path}; stop it first (two servers must not share a data dir).");
            }
            catch (SocketException) { } // nobody listens: left over from a server that did not stop cleanly
        }
        File.Delete(path);
    }

    private async Task AcceptLoop(Socket listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try { client = await listener.AcceptAsync(cancellationToken); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            _ = Serve(client, cancellationToken);
        }
    }

    private async Task Serve(Socket client, CancellationToken cancellationToken)
    {
        using var _ = client;
        try
        {
            await using var stream = new NetworkStream(client, ownsSocket: false);
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
            if (PeerCredentials.PeerUid(client) is { } uid && !PeerCredentials.IsAllowed(uid))
            {
                logger.LogWarning("admin socket: refused uid {Uid} (only root or uid {Own} may pause or resume)", uid, PeerCredentials.OwnUid);
                await writer.WriteLineAsync(new AdminReply { Error = "Only root or the appliance's own user may use the admin socket." }.ToJson());
                return;
            }
            while (true)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(ReadTimeout);
                var line = await reader.ReadLineAsync(timeout.Token);
                if (line is null) return;
                var command = line.Trim();
                var reply = command == AdminCommandNames.PolicyReload ? await ReloadPolicyAsync(cancellationToken) : Handle(command);
                await writer.WriteLineAsync(reply.ToJson());
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or said nothing in time; nothing to answer.
        }
    }

    private async Task<AdminReply> ReloadPolicyAsync(CancellationToken cancellationToken)
    {
        if (reloadPolicy is null) return new AdminReply { Error = "This server does not check signed policy." };
        try
        {
            await reloadPolicy(cancellationToken);
            return Handle(AdminCommandNames.Status);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError("admin socket: policy reload failed: {Error}", e.Message);
            return new AdminReply { Error = $"The server could not anchor the change in the audit log ({e.Message}); fix the audit log, then run 'appliance policy status'." };
        }
    }

    internal AdminReply Handle(string command)
    {
        switch (command)
        {
            case AdminCommandNames.Pause: pause.Pause("admin socket"); break;
            case AdminCommandNames.Resume: pause.Resume("admin socket"); break;
            case AdminCommandNames.Status: break;
            default:
                var shown = command.Length > AdminCommandNames.MaxLine ? command[..AdminCommandNames.MaxLine] + "…" : command;
                return new AdminReply { Error = $"Unknown command '{shown}'; send pause, resume, status or policy-reload." };
        }
        var state = pause.State;
        return new AdminReply
        {
            Ok = true,
            State = state.Name,
            Paused = state.Paused,
            TokenPresent = state.TokenPresent,
            PendingApprovals = approvals.Pending,
            Audit = AuditStatus(),
            LockedKb = Common.LockedMemory.LockedKilobytes(),
            CoreDumps = Common.LockedMemory.Dumpable() is { } dumpable ? dumpable != 0 : null,
        };
    }

    private AdminAuditStatus? AuditStatus()
    {
        if (AuditDisk is null) return null;
        try { return AdminAuditStatus.From(AuditDisk()); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("admin socket: cannot measure the audit disk: {Error}", e.Message);
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _stop.Dispose();
    }
}
