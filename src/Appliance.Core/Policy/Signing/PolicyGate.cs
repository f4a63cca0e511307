using System.Text.Json;
using Appliance.Sealing;
using Microsoft.Extensions.Logging;

namespace Appliance.Policy;

/// <summary>
/// What the running server loads: only bot profiles and credentials whose policy signature verifies against the
/// pinned policy key and whose version is not below its anchored floor. Each record stands alone: a bad or unsigned
/// file is skipped (reported once through <see cref="Rejected"/>, which the server turns into an alert and an audit
/// record) and never keeps the others, or a revocation, from loading. A record that is accepted at a new version,
/// or that disappears, becomes a pending anchor for the audit log (<see cref="TakePendingAnchors"/>); its floor rises
/// at once in memory. Thread-safe.
/// </summary>
public sealed class PolicyGate
{
    private static readonly JsonSerializerOptions SealJson = new() { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow };

    private readonly byte[] _policyKey;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<PolicyRecordKey, string> _reported = [];
    private readonly Dictionary<PolicyRecordKind, HashSet<PolicyRecordKey>> _present = [];
    private readonly List<PolicyAnchor> _pending = [];
    private readonly List<PolicyRejection> _unannounced = [];

    public PolicyGate(ReadOnlySpan<byte> policyPublicKey, PolicyFloors floors, ILogger logger)
    {
        P256Point.Validate(policyPublicKey, nameof(policyPublicKey));
        _policyKey = policyPublicKey.ToArray();
        Floors = floors;
        _logger = logger;
    }

    public PolicyFloors Floors { get; }

    /// <summary>
    /// A record was not loaded. Raised once per record and problem, on the reloading thread. Rejections made while
    /// nobody listens (at start, before the alerts exist) wait in <see cref="TakeUnannounced"/>.
    /// </summary>
    public event Action<PolicyRejection>? Rejected;

    /// <summary>Rejections made while nobody listened to <see cref="Rejected"/>.</summary>
    public IReadOnlyList<PolicyRejection> TakeUnannounced()
    {
        lock (_gate)
        {
            var taken = _unannounced.ToList();
            _unannounced.Clear();
            return taken;
        }
    }

    /// <summary>Anchors are waiting to be written to the audit log.</summary>
    public event Action? AnchorsPending;

    public IReadOnlyList<BotProfile> AdmitBots(IEnumerable<PolicyFile<BotProfile>> files) =>
        Admit(PolicyRecordKind.Bot, files, (key, bot) => PolicyVerifier.Bot(bot, key, _policyKey, Floors.Of(key)));

    public IReadOnlyList<SealedCredential> AdmitCredentials(IEnumerable<PolicyFile<SealedCredential>> files) =>
        Admit(PolicyRecordKind.Credential, files, (key, credential) => VerifyCredential(credential, key, _policyKey, Floors.Of(key)));

    /// <summary>The judgement on one credential envelope (exactly as signed; credentials are never narrowed in place).</summary>
    public static PolicyVerdict VerifyCredential(SealedCredential credential, PolicyRecordKey key, ReadOnlySpan<byte> policyKey, long floor)
    {
        PolicySeal? seal;
        try { seal = ReadSeal(credential.PolicyBlock); }
        catch (JsonException e) { return PolicyVerdict.Reject(0, $"its policy block is malformed ({e.Message}); {PolicyVerifier.SignAllHint}"); }
        return PolicyVerifier.Exact(seal, key, policyKey, floor, PolicyCanonical.Sha256(credential.ContentBytes()));
    }

    public static PolicySeal? ReadSeal(JsonElement? block) => block?.Deserialize<PolicySeal>(SealJson);

    public static JsonElement WriteSeal(PolicySeal seal) => JsonSerializer.SerializeToElement(seal, SealJson);

    /// <summary>Anchors not yet written; the caller writes them to the audit log (floors already count them).</summary>
    public IReadOnlyList<PolicyAnchor> TakePendingAnchors()
    {
        lock (_gate)
        {
            var taken = _pending.ToList();
            _pending.Clear();
            return taken;
        }
    }

    private IReadOnlyList<T> Admit<T>(PolicyRecordKind kind, IEnumerable<PolicyFile<T>> files, Func<PolicyRecordKey, T, PolicyVerdict> verify)
        where T : class
    {
        var admitted = new List<T>();
        var rejections = new List<PolicyRejection>();
        bool anchored = false;
        lock (_gate)
        {
            var present = new HashSet<PolicyRecordKey>();
            foreach (var file in files)
            {
                present.Add(file.Key);
                var verdict = file.Record is null
                    ? PolicyVerdict.Reject(0, $"it cannot be read ({file.Error}); restore it from a backup or remove it")
                    : verify(file.Key, file.Record);
                if (!verdict.Ok)
                {
                    if (!_reported.TryGetValue(file.Key, out var before) || before != verdict.Problem)
                    {
                        _reported[file.Key] = verdict.Problem!;
                        rejections.Add(new PolicyRejection(file.Key, file.Path, verdict.Problem!, verdict.Unsigned));
                    }
                    continue;
                }
                _reported.Remove(file.Key);
                admitted.Add(file.Record!);
                if (Floors.Raise(file.Key, verdict.Version))
                {
                    _pending.Add(new PolicyAnchor(file.Key, verdict.Version, verdict.Change!));
                    anchored = true;
                }
            }
            // A record that was on disk and is gone was removed: anchor its removal one version up, so putting the
            // old file back is refused.
            if (_present.TryGetValue(kind, out var before2))
            {
                foreach (var gone in before2.Where(k => !present.Contains(k)))
                {
                    var version = Floors.Of(gone) + 1;
                    Floors.Raise(gone, version);
                    _pending.Add(new PolicyAnchor(gone, version, PolicyChanges.Removed));
                    _reported.Remove(gone);
                    anchored = true;
                }
            }
            _present[kind] = present;
        }
        foreach (var rejection in rejections)
        {
            _logger.LogError("policy: {Rejection}", rejection.ToString());
            var listeners = Rejected;
            if (listeners is null)
            {
                lock (_gate) _unannounced.Add(rejection);
                continue;
            }
            try { listeners(rejection); }
            catch (Exception e) { _logger.LogError("policy rejection listener failed: {Error}", e.Message); }
        }
        if (anchored)
        {
            try { AnchorsPending?.Invoke(); }
            catch (Exception e) { _logger.LogError("policy anchor listener failed: {Error}", e.Message); }
        }
        return admitted;
    }
}
