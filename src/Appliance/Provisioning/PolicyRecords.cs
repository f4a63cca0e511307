using Appliance.Audit;
using Appliance.Config;
using Appliance.Policy;
using Appliance.Sealing;
using Appliance.Token;

namespace Appliance.Provisioning;

/// <summary>
/// Every CLI change to a policy record goes through here: it picks the next version (above the record's own and
/// above its floor in the audit log), signs what widens power (one token signature, so one touch), keeps the old
/// signature for what narrows it (no token), writes the file atomically and anchors the new version in the audit
/// log before returning.
/// </summary>
/// <param name="anchorLater">Leave the anchoring to the server, which anchors every new version it loads: only for
/// <c>demo</c>, which changes its own data dir right before its server starts.</param>
public sealed class PolicyRecords(DataDir data, TimeProvider time, IPolicySigner signer, bool anchorLater = false)
{
    private PolicyFloors? _floors;

    public BotStore Bots { get; } = new(data.Root);

    public CredentialStore Credentials { get; } = new(data.Root);

    /// <summary>The floors the audit log states now.</summary>
    public PolicyFloors Floors => _floors ??= PolicyAnchorLog.ReadFloors(data.AuditDir, TokenDescriptor.Load(data.TokenFile).PublicKey(KeySlot.Audit));

    /// <summary>The version a changed record gets: above what it had and above its anchored floor.</summary>
    public long NextVersion(PolicyRecordKey key, long current) => Math.Max(current, Floors.Of(key)) + 1;

    /// <summary>Signs <paramref name="profile"/> as the bot's next version, saves it and anchors it.</summary>
    public BotProfile SaveSigned(BotProfile profile)
    {
        var current = Bots.Exists(profile.Name) ? Bots.Load(profile.Name).Policy?.Version ?? 0 : 0;
        var entry = PolicySigning.Entry(profile, NextVersion(PolicyRecordKey.Bot(profile.Name), current));
        var signed = profile with { Policy = PolicySigning.Sign(signer, [entry], time.GetUtcNow())[entry.Key] };
        Bots.Save(signed);
        Anchor(new PolicyAnchor(entry.Key, entry.Version, PolicyChanges.Signed));
        return signed;
    }

    /// <summary>
    /// Saves a change that only narrows <paramref name="current"/> (revoke, lower caps, fewer scopes …) without the
    /// token: it keeps the signature and records the signed content. A change that widens anything throws.
    /// </summary>
    public BotProfile SaveNarrowed(BotProfile current, BotProfile narrowed)
    {
        var key = PolicyRecordKey.Bot(current.Name);
        var next = PolicySigning.Narrow(current, narrowed, NextVersion(key, current.Policy?.Version ?? 0));
        Bots.Save(next);
        Anchor(new PolicyAnchor(key, next.Policy!.Version, PolicyChanges.Narrowed));
        return next;
    }

    /// <summary>Deletes a bot (no token) and anchors the removal, so its old file cannot be put back.</summary>
    public void RemoveBot(string name)
    {
        var current = Bots.Load(name);
        var key = PolicyRecordKey.Bot(name);
        var version = NextVersion(key, current.Policy?.Version ?? 0);
        Bots.Remove(name);
        Anchor(new PolicyAnchor(key, version, PolicyChanges.Removed));
    }

    /// <summary>Signs a new (or rotated) credential envelope, stores it and anchors it.</summary>
    public SealedCredential SaveSigned(SealedCredential credential, bool replace)
    {
        var existing = Credentials.TryGet(credential.Name);
        var current = PolicyGate.ReadSeal(existing?.PolicyBlock)?.Version ?? 0;
        var signed = SignCredentials([credential], new Dictionary<string, long> { [credential.Name] = current })[0];
        if (replace) Credentials.Replace(signed);
        else Credentials.Add(signed);
        Anchor(new PolicyAnchor(PolicyRecordKey.Credential(credential.Name), PolicyGate.ReadSeal(signed.PolicyBlock)!.Version, PolicyChanges.Signed));
        return signed;
    }

    /// <summary>Deletes a credential (no token) and anchors the removal.</summary>
    public void RemoveCredential(string name)
    {
        var existing = Credentials.TryGet(name)
            ?? throw new InvalidOperationException($"There is no credential named '{name}'; `appliance credentials list` shows the names.");
        var key = PolicyRecordKey.Credential(name);
        var version = NextVersion(key, PolicyGate.ReadSeal(existing.PolicyBlock)?.Version ?? 0);
        Credentials.Remove(name);
        Anchor(new PolicyAnchor(key, version, PolicyChanges.Removed));
    }

    /// <summary>Signs several envelopes with one signature (not stored, not anchored: the caller does both).</summary>
    public IReadOnlyList<SealedCredential> SignCredentials(IReadOnlyList<SealedCredential> credentials, IReadOnlyDictionary<string, long> currentVersions)
    {
        var entries = credentials.Select(c => PolicySigning.Entry(c with { PolicyBlock = null },
            NextVersion(PolicyRecordKey.Credential(c.Name), currentVersions.GetValueOrDefault(c.Name)))).ToList();
        var seals = PolicySigning.Sign(signer, entries, time.GetUtcNow());
        return credentials.Select(c => c with { PolicyBlock = PolicyGate.WriteSeal(seals[PolicyRecordKey.Credential(c.Name)]) }).ToList();
    }

    public void Anchor(params PolicyAnchor[] anchors)
    {
        if (!anchorLater) PolicyAnchorSink.Anchor(data, anchors, time);
        foreach (var anchor in anchors) Floors.Raise(anchor.Key, anchor.Version);
    }
}
