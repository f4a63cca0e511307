using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Appliance.Common;
using Appliance.Orders;
using Appliance.Pipeline;
using Appliance.Policy;
using Appliance.Upbit;
using Microsoft.Extensions.Logging;

namespace Appliance.Streams;

/// <summary>
/// The private WebSocket relay behind gRPC Subscribe and the front's /websocket/v1/private: admits a
/// subscription (identify, authorize, audit), attaches it to its credential's shared upstream connection,
/// and ends streams when their bot is revoked, the appliance is paused or its key is pulled.
/// </summary>
public sealed class StreamRelay : IAsyncDisposable
{
    private readonly StreamAdmission _admission;
    private readonly KeyRing _keys;
    private readonly BotRegistry _bots;
    private readonly ApplianceState _state;
    private readonly OrderOwners _owners;
    private readonly StreamOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly WindowPacer _pacer;
    private readonly ConcurrentDictionary<string, CredentialRelay> _relays = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<StreamListener, byte> _listeners = new();

    public StreamRelay(StreamAdmission admission, KeyRing keys, BotRegistry bots, ApplianceState state, OrderOwners owners,
        StreamOptions options, TimeProvider time, ILogger<StreamRelay> logger)
    {
        (_admission, _keys, _bots, _state, _owners, _options, _time, _logger) = (admission, keys, bots, state, owners, options, time, logger);
        _pacer = WindowPacer.Connects(time, options.ConnectsPerSecond);
        bots.Revoked += OnRevoked;
        state.Changed += OnStateChanged;
    }

    public StreamOptions Options => _options;

    /// <summary>Upstream connects made so far for a credential (tests, diagnostics).</summary>
    public int Connects(string credential) => _relays.TryGetValue(credential, out var relay) ? relay.Connects : 0;

    public bool IsConnected(string credential) => _relays.TryGetValue(credential, out var relay) && relay.IsConnected;

    /// <summary>Identifies the caller only: the front does this before it upgrades the connection.</summary>
    public BotProfile Identify(X509Certificate2? certificate, IPAddress peer) => _admission.Identify(certificate, peer);

    /// <summary>Admits and opens a subscription; a refusal is a SignRefusal. The caller ends it with <see cref="StreamListener.End"/>.</summary>
    public async Task<StreamListener> OpenAsync(X509Certificate2? certificate, IPAddress peer, string credential, StreamSubscription wanted)
    {
        var grant = await _admission.AdmitAsync(certificate, peer, credential, wanted);
        if (_listeners.Keys.Count(l => l.Bot.Name == grant.Bot.Name) >= _options.MaxStreamsPerBot)
            throw Refusals.TooManyStreams(grant.Bot.Name, _options.MaxStreamsPerBot);
        var relay = _relays.GetOrAdd(grant.Credential, name => new CredentialRelay(name, Authorize, _options, _pacer, _owners, _time, _logger));
        var listener = new StreamListener(grant, ended =>
        {
            _listeners.TryRemove(ended, out _);
            relay.Remove(ended);
        });
        _listeners[listener] = 0;
        relay.Add(listener);
        // Revoked, paused or unplugged while being admitted: end at once rather than miss the event.
        if (_state.Kind != ApplianceStateKind.Ready || !_bots.TryGet(grant.Bot.Thumbprint, out var now) || now.Revoked is not null)
            listener.End(_state.Kind == ApplianceStateKind.Ready ? Refusals.BotRevoked(grant.Bot.Name) : StateRefusal());
        return listener;
    }

    /// <summary>A newer request on the same front WebSocket: admitted and audited like the first, then it replaces it.</summary>
    public async Task ReplaceAsync(StreamListener listener, X509Certificate2? certificate, IPAddress peer, StreamSubscription wanted)
    {
        var grant = await _admission.AdmitAsync(certificate, peer, listener.Credential, wanted);
        listener.Replace(grant.Subscription);
        if (_relays.TryGetValue(listener.Credential, out var relay)) relay.Resubscribed();
    }

    /// <summary>The handshake token of the credential's upstream connection: access_key and a fresh nonce, no query_hash.</summary>
    private string Authorize(string credential)
    {
        _state.EnsureCanSign();
        return "Bearer " + _keys.UseSecret(credential, (meta, secret) =>
            UpbitJwt.CreateForWebSocket(meta.AccessKey, secret, Guid.NewGuid(), _options.JwtAlgorithm));
    }

    private void OnRevoked(BotProfile bot)
    {
        foreach (var listener in _listeners.Keys.Where(l => l.Bot.Thumbprint == bot.Thumbprint)) listener.End(Refusals.BotRevoked(bot.Name));
    }

    private void OnStateChanged()
    {
        if (_state.Kind == ApplianceStateKind.Ready) return;
        var reason = StateRefusal();
        _logger.LogInformation("Ending {Count} private WebSocket streams: {Reason}", _listeners.Count, reason.Reason);
        foreach (var listener in _listeners.Keys) listener.End(reason);
    }

    private SignRefusal StateRefusal()
    {
        try
        {
            _state.EnsureCanSign();
            return Refusals.Paused();
        }
        catch (SignRefusal refusal)
        {
            return refusal;
        }
    }

    /// <summary>Ends every stream (the host is stopping: open streams would hold its shutdown).</summary>
    public void EndAll()
    {
        foreach (var listener in _listeners.Keys) listener.End(Refusals.ApplianceStopping());
    }

    public async ValueTask DisposeAsync()
    {
        _bots.Revoked -= OnRevoked;
        _state.Changed -= OnStateChanged;
        EndAll();
        await Task.WhenAll(_relays.Values.Select(r => r.StopAsync()));
    }
}
