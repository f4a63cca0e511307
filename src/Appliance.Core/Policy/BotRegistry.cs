using Appliance.Common;
using Microsoft.Extensions.Logging;

namespace Appliance.Policy;

/// <summary>
/// The running server's view of the bots, by certificate thumbprint. A timer re-reads the bots
/// directory when it changes, so <c>bots revoke</c> in another process takes effect within one
/// poll interval without a restart. A profile that fails to parse keeps the last good snapshot
/// and is logged, never silently dropped into "allow".
/// </summary>
public sealed class BotRegistry : IDisposable
{
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(250);

    private readonly BotStore _store;
    private readonly ILogger _logger;
    private readonly ITimer? _timer;
    private readonly Lock _reloadLock = new();
    private volatile IReadOnlyDictionary<string, BotProfile> _byThumbprint = new Dictionary<string, BotProfile>();
    private string _fingerprint = "";

    public BotRegistry(BotStore store, TimeProvider time, ILogger logger, TimeSpan? pollInterval = null)
    {
        _store = store;
        _logger = logger;
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
    public void Reload()
    {
        lock (_reloadLock)
        {
            var fingerprint = Fingerprint();
            if (fingerprint == _fingerprint) return;
            try
            {
                var next = new Dictionary<string, BotProfile>(StringComparer.OrdinalIgnoreCase);
                foreach (var bot in _store.LoadAll())
                    next[bot.Thumbprint] = bot;
                var before = _byThumbprint;
                _byThumbprint = next;
                _fingerprint = fingerprint;
                foreach (var old in before.Values.Where(b => b.Revoked is null))
                {
                    if (!next.TryGetValue(old.Thumbprint, out var now) || now.Revoked is not null) RaiseRevoked(old);
                }
                _logger.LogInformation("Loaded {Count} bot profiles", next.Count);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                _logger.LogError("Bot profiles not reloaded: {Error}", e.Message);
            }
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
