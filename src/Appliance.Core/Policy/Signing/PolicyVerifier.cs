using System.Text.Json;

namespace Appliance.Policy;

/// <summary>The judgement on one record: loadable or not, and why.</summary>
public sealed record PolicyVerdict(bool Ok, bool Unsigned, long Version, string? Problem, string? Change)
{
    public static PolicyVerdict Accept(long version, string change) => new(true, false, version, null, change);

    public static PolicyVerdict Reject(long version, string problem, bool unsigned = false) => new(false, unsigned, version, problem, null);
}

/// <summary>
/// Checks one record against the pinned policy key and its anchored floor. Pure. A record is loadable when:
/// it carries a seal; the seal's signature verifies; the signed statement names this record at the seal's signed
/// version with the hash of the content as signed; the record now is that content, or (narrowed since, without
/// the token) a version above it that grants nothing more; and its version is not below the floor anchored in the
/// audit log.
/// </summary>
public static class PolicyVerifier
{
    public const string SignAllHint = "sign what is on disk with 'appliance policy sign-all' if it is right";

    public static PolicyVerdict Bot(BotProfile profile, PolicyRecordKey key, ReadOnlySpan<byte> policyKey, long floor)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (profile.Name != key.Name)
            return PolicyVerdict.Reject(profile.Policy?.Version ?? 0, $"the file holds bot '{profile.Name}', not '{key.Name}'; rename it back");
        return Check(key, profile.Policy, policyKey, floor, PolicyCanonical.Sha256(profile), signed =>
        {
            BotProfile original;
            try { original = PolicyCanonical.Profile(signed); }
            catch (JsonException e) { return (null, [$"signed ({e.Message})"]); }
            if (original.Name != profile.Name) return (null, ["name"]);
            return (PolicyCanonical.Sha256(original), BotNarrowing.Widened(profile, original));
        });
    }

    /// <summary>A record whose content may not change at all without a signature (a credential envelope, the config).</summary>
    public static PolicyVerdict Exact(PolicySeal? seal, PolicyRecordKey key, ReadOnlySpan<byte> policyKey, long floor, string contentSha256) =>
        Check(key, seal, policyKey, floor, contentSha256, null);

    /// <param name="narrowed">For records that may be narrowed without the token: from the content as signed, its hash
    /// and the members the record now grants beyond it. Null: the record must be exactly as signed.</param>
    public static PolicyVerdict Check(PolicyRecordKey key, PolicySeal? seal, ReadOnlySpan<byte> policyKey, long floor, string effectiveSha256,
        Func<JsonElement, (string? Sha256, IReadOnlyList<string> Widened)>? narrowed)
    {
        if (seal is null)
            return PolicyVerdict.Reject(0, $"it is not signed; {SignAllHint} (one touch)", unsigned: true);
        var version = seal.Version;
        if (!seal.TryVerify(policyKey, out var statement, out var problem))
            return PolicyVerdict.Reject(version, $"{problem}; it was written or edited without the token: check it, then {SignAllHint}");
        var entry = statement!.Find(key);
        if (entry is null || entry.Version != seal.SignedVersion)
            return PolicyVerdict.Reject(version, $"its signature covers {(entry is null ? "other records" : $"version {entry.Version}")}, not {key} version {seal.SignedVersion}; it was copied from elsewhere: {SignAllHint}");

        string change;
        if (seal.Signed is { } signed)
        {
            if (narrowed is null)
                return PolicyVerdict.Reject(version, $"a {key.KindWire} record cannot be narrowed in place; {SignAllHint}");
            if (version <= seal.SignedVersion)
                return PolicyVerdict.Reject(version, $"it was changed after signing without a new version number; {SignAllHint}");
            var (signedSha, widened) = narrowed(signed);
            if (signedSha != entry.Sha256)
                return PolicyVerdict.Reject(version, $"its signed copy differs from what was signed; {SignAllHint}");
            if (widened.Count > 0)
                return PolicyVerdict.Reject(version, $"it grants more than was signed ({string.Join(", ", widened)}) without a new signature; re-add it with the CLI (a touch) or {SignAllHint}");
            change = PolicyChanges.Narrowed;
        }
        else
        {
            if (version != seal.SignedVersion)
                return PolicyVerdict.Reject(version, $"its version {version} is not the signed version {seal.SignedVersion}; {SignAllHint}");
            if (effectiveSha256 != entry.Sha256)
                return PolicyVerdict.Reject(version, $"its content was changed after it was signed; {SignAllHint}");
            change = PolicyChanges.Signed;
        }
        if (version < floor)
            return PolicyVerdict.Reject(version,
                $"it is version {version}, older than version {floor} anchored in the audit log (an older copy was put back?); a revocation or narrowing stays in force: restore the current file, or {SignAllHint}");
        return PolicyVerdict.Accept(version, change);
    }
}
