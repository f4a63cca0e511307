using System.Collections.Concurrent;
using Appliance.Policy;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace Appliance.Server;

/// <summary>
/// The open connections of each bot certificate. Revocation is checked on every request, but an
/// HTTP/2 connection or a resumed TLS session never repeats the handshake, so a revoked bot's open
/// connections are closed at once too.
/// </summary>
public sealed class BotConnections
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, ConnectionContext>> _byThumbprint = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Kestrel connection middleware, after TLS: tracks the connection under its client certificate.</summary>
    public Func<ConnectionDelegate, ConnectionDelegate> Middleware => next => async connection =>
    {
        var certificate = connection.Features.Get<ITlsConnectionFeature>()?.ClientCertificate;
        if (certificate is null)
        {
            await next(connection);
            return;
        }
        var thumbprint = Thumbprints.Sha256Hex(certificate);
        var open = _byThumbprint.GetOrAdd(thumbprint, _ => new ConcurrentDictionary<string, ConnectionContext>());
        open[connection.ConnectionId] = connection;
        try { await next(connection); }
        finally { open.TryRemove(connection.ConnectionId, out _); }
    };

    public int Count(string thumbprint) => _byThumbprint.TryGetValue(thumbprint, out var open) ? open.Count : 0;

    public void Close(BotProfile bot)
    {
        if (!_byThumbprint.TryGetValue(bot.Thumbprint, out var open)) return;
        foreach (var connection in open.Values) connection.Abort(new ConnectionAbortedException($"bot '{bot.Name}' was revoked"));
    }
}
