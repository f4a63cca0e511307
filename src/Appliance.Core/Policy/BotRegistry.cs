using Appliance.Common;
using Microsoft.Extensions.Logging;

namespace Appliance.Policy;

/// <summary>
/// The running server's view of the bots, by certificate thumbprint. A timer re-reads the bots
/// directory when it changes, so <c>bots revoke</c> in another process takes effect within one
/// poll interval without a restart. Each profile stands alone: one that cannot be read, or (with a
/// <see cref="PolicyGate"/>) whose policy signature does not verify, is left out and reported, and the
/// rest load, so a bad file never holds back a revocation. A profile left out grants nothing.
/// </summary>
public sealed class BotRegistry : IDisposable
{
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(250);

    private readonly BotStore _store;
    private readonly ILogger _logger;
    private readonly PolicyGate? _gate;
    private readonly ITimer? _timer;
    private readonly Lock _reloadLock = new();
    private volatile IReadOnlyDictionary<string, BotProfile> _byThumbprint = new Dictionary<string, BotProfile>();
    private string _fingerprint = "";

    /// <param name="gate">Checks each profile's policy signature; null loads every readable profile (tests of other parts only).</param>
    public BotRegistry(BotStore store, TimeProvider time, ILogger logger, TimeSpan? pollInterval = null, PolicyGate? gate = null)
    {
        _store = store;
        _logger = logger;
        _gate = gate;
        Reload();
        var interval = pollInterval ?? DefaultPollInterval;
        if (interval > TimeSpan.Zero)
            _timer = time.CreateTimer(_ => Reload(), null, interval, interval);
    }

    public bool TryGet(string thumbprint, out BotProfile profile) =>
        _byThumbprint.TryGetValue(thumbprint, out profile!);

    public IReadOnlyCollection<BotProfile> All => _byThumbprint.Values.ToList();

    /// <summary>True for a certificate this appliance issued to a bot (revoked ones included): the TLS handshake admits only these.</summary>
    public bool IsIssued(string thumbprint) => _byThumbprint.ContainsKey(thumbprint);

    /// <summary>A bot was revoked or removed since the last reload (its approvals and connections must end). Raised on the reload thread.</summary>
    public event Action<BotProfile>? Revoked;

    /// <summary>Re-reads the directory if any profile file changed since the last read.</summary>
    public void Reload() => Reload(force: false);

    /// <summary>Re-reads the directory now, changed or not (the admin socket's reload).</summary>
    public void Reload(bool force)
    {
        lock (_reloadLock)
        {
            var fingerprint = Fingerprint();
            if (!force && fingerprint == _fingerprint) return;
            IReadOnlyList<PolicyFile<BotProfile>> files;
            try { files = _store.LoadEach(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _logger.LogError("Bot profiles not reloaded: {Error}", e.Message);
                return;
            }
            IReadOnlyList<BotProfile> admitted;
            if (_gate is not null) admitted = _gate.AdmitBots(files);
            else
            {
                foreach (var bad in files.Where(f => f.Record is null))
                    _logger.LogError("Bot profile {File} skipped: {Error}", bad.Path, bad.Error);
                admitted = files.Where(f => f.Record is not null).Select(f => f.Record!).ToList();
            }
            var next = new Dictionary<string, BotProfile>(StringComparer.OrdinalIgnoreCase);
            foreach (var bot in admitted)
                next[bot.Thumbprint] = bot;
            var before = _byThumbprint;
            _byThumbprint = next;
            _fingerprint = fingerprint;
            // A bot that is gone, revoked, or no longer verifies grants nothing from now on: its approvals and connections end.
            foreach (var old in before.Values.Where(b => b.Revoked is null))
            {
                if (!next.TryGetValue(old.Thumbprint, out var now) || now.Revoked is not null) RaiseRevoked(old);
            }
            _logger.LogInformation("Loaded {Count} bot profiles", next.Count);
        }
    }

    private void RaiseRevoked(BotProfile bot)
    {
        try { Revoked?.Invoke(bot); }
        catch (Exception e) { _logger.LogError("A revocation listener failed: {Error}", e.Message); }
    }

    private string Fingerprint() => DirectoryFingerprint.Of(_store.Directory, "*.json");

    public void Dispose() => _timer?.Dispose();
}
