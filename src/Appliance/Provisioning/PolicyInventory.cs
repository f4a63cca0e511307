using Appliance.Audit;
using Appliance.Config;
using Appliance.Policy;
using Appliance.Sealing;
using Appliance.Token;

namespace Appliance.Provisioning;

/// <summary>One record on disk and what the server would make of it.</summary>
public sealed record PolicyItem(PolicyRecordKey Key, string Path, PolicyVerdict Verdict);

/// <summary>
/// Every policy record of a data dir (bots, credentials, appliance.json's signed keys) judged exactly as the server
/// judges them: the pinned policy key, the floors in the audit log. <c>policy status</c> prints it, <c>serve</c>
/// refuses to start while any record is unsigned, and <c>policy sign-all</c> signs it.
/// </summary>
public static class PolicyInventory
{
    public static IReadOnlyList<PolicyItem> Check(DataDir data)
    {
        var pinned = TokenDescriptor.Load(data.TokenFile);
        var policyKey = pinned.PublicKey(KeySlot.Policy);
        var floors = PolicyAnchorLog.ReadFloors(data.AuditDir, pinned.PublicKey(KeySlot.Audit));
        var items = new List<PolicyItem>();
        foreach (var file in new BotStore(data.Root).LoadEach())
        {
            var verdict = file.Record is null
                ? PolicyVerdict.Reject(0, $"it cannot be read ({file.Error})")
                : PolicyVerifier.Bot(file.Record, file.Key, policyKey, floors.Of(file.Key));
            items.Add(new PolicyItem(file.Key, file.Path, verdict));
        }
        foreach (var (name, path, credential, error) in new CredentialStore(data.Root).ListEach())
        {
            var key = PolicyRecordKey.Credential(name);
            var verdict = credential is null
                ? PolicyVerdict.Reject(0, $"it cannot be read ({error})")
                : PolicyGate.VerifyCredential(credential, key, policyKey, floors.Of(key));
            items.Add(new PolicyItem(key, path, verdict));
        }
        items.Add(new PolicyItem(PolicyRecordKey.Config, data.ConfigFile, PolicyConfigSigning.Verify(data, floors)));
        return items;
    }

    /// <summary>Throws (naming the command that fixes it) while any record is unsigned or the signed config does not hold.</summary>
    public static void RequireSigned(DataDir data)
    {
        var items = Check(data);
        var unsigned = items.Where(i => i.Verdict.Unsigned).Select(i => i.Key.ToString()).ToList();
        if (unsigned.Count > 0)
            throw new InvalidOperationException(
                $"{unsigned.Count} policy record(s) are not signed yet ({string.Join(", ", unsigned.Take(8))}{(unsigned.Count > 8 ? ", …" : "")}); " +
                $"check them, then run 'appliance policy sign-all --data-dir {data.Root}' (one touch signs them all).");
        if (items.FirstOrDefault(i => i.Key == PolicyRecordKey.Config && !i.Verdict.Ok) is { } config)
            throw new InvalidOperationException($"appliance.json cannot be used: {config.Verdict.Problem}.");
    }
}

/// <summary>
/// <c>appliance policy sign-all</c>: one token signature (one touch) over a statement naming every readable record at
/// its next version; each record then carries that statement and signature, and every new version is anchored.
/// This is the migration for data dirs made before signed policy, and the way to approve a change made by hand.
/// </summary>
public sealed class PolicySignAll(DataDir data, TimeProvider time, IPolicySigner signer)
{
    public sealed record Signed(PolicyRecordKey Key, long Version, string? WasProblem);

    public (IReadOnlyList<Signed> Signed, IReadOnlyList<PolicyItem> Unreadable) Run()
    {
        var records = new PolicyRecords(data, time, signer);
        var before = PolicyInventory.Check(data).ToDictionary(i => i.Key);
        var bots = records.Bots.LoadEach();
        var credentials = records.Credentials.ListEach();
        var unreadable = before.Values.Where(i => i.Key.Kind != PolicyRecordKind.Config
            && (bots.Any(b => b.Key == i.Key && b.Record is null) || credentials.Any(c => PolicyRecordKey.Credential(c.Name) == i.Key && c.Credential is null)))
            .ToList();

        var entries = new List<PolicyStatementEntry>();
        var profiles = bots.Where(b => b.Record is not null).Select(b => b.Record! with { Policy = null }).ToList();
        foreach (var bot in bots.Where(b => b.Record is not null))
            entries.Add(PolicySigning.Entry(bot.Record! with { Policy = null }, records.NextVersion(bot.Key, bot.Record!.Policy?.Version ?? 0)));
        var envelopes = credentials.Where(c => c.Credential is not null).Select(c => c.Credential! with { PolicyBlock = null }).ToList();
        foreach (var c in credentials.Where(c => c.Credential is not null))
            entries.Add(PolicySigning.Entry(c.Credential! with { PolicyBlock = null },
                records.NextVersion(PolicyRecordKey.Credential(c.Name), PolicyGate.ReadSeal(c.Credential!.PolicyBlock)?.Version ?? 0)));
        var configKeys = SignedConfigKeys.ProjectFile(data.ConfigFile);
        var configPath = SignedConfigFile.PathIn(data.Root);
        entries.Add(PolicySigning.ConfigEntry(configKeys, records.NextVersion(PolicyRecordKey.Config, SignedConfigFile.TryLoad(configPath)?.Policy.Version ?? 0)));

        var seals = PolicySigning.Sign(signer, entries, time.GetUtcNow()); // the one signature
        foreach (var profile in profiles)
            records.Bots.Save(profile with { Policy = seals[PolicyRecordKey.Bot(profile.Name)] });
        foreach (var envelope in envelopes)
            records.Credentials.Replace(envelope with { PolicyBlock = PolicyGate.WriteSeal(seals[PolicyRecordKey.Credential(envelope.Name)]) });
        new SignedConfigFile { Keys = configKeys, Policy = seals[PolicyRecordKey.Config] }.Save(configPath);
        records.Anchor([.. entries.Select(e => new PolicyAnchor(e.Key, e.Version, PolicyChanges.Signed))]);
        return (entries.Select(e => new Signed(e.Key, e.Version, before.TryGetValue(e.Key, out var b) && !b.Verdict.Ok ? b.Verdict.Problem : null)).ToList(),
            unreadable);
    }
}
