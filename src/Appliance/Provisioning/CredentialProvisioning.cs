using Appliance.Common;
using Appliance.Config;
using Appliance.Sealing;
using Appliance.Policy;
using Appliance.Token;
using Appliance.Upbit;

namespace Appliance.Provisioning;

/// <summary>
/// Adds, rotates and removes credentials. Sealing needs only the pinned public keys from token.json (the primary's,
/// and the recovery token's when one is enrolled); a new or rotated credential widens power, so its envelope is
/// signed with the token's policy key (a touch on a YubiKey). Removing needs no token. The plaintext exists only in
/// the caller's SecretBytes and never touches disk.
/// </summary>
public sealed class CredentialProvisioning(DataDir data, TimeProvider time, IPolicySigner? signer = null, bool anchorLater = false)
{
    public static readonly TimeSpan UpbitKeyLifetime = TimeSpan.FromDays(365);

    public static readonly IReadOnlyList<string> DefaultScopes = ["trade", "view-assets", "view-orders"];

    private readonly PolicyRecords _records = new(data, time, signer ?? new DataDirPolicySigner(data), anchorLater);

    public CredentialStore Store { get; } = new(data.Root);

    /// <param name="pocket">The Upbit pocket the key was issued in (rate limits count per pocket); null: main.</param>
    public SealedCredential Add(string name, string accessKey, ApprovalMode approval, IReadOnlyList<string> scopes,
        DateTimeOffset? expires, SecretBytes secret, string? pocket = null)
    {
        if (Store.Exists(name))
            throw new InvalidOperationException($"A credential named '{name}' exists; use 'credentials rotate {name}' to replace its secret.");
        return _records.SaveSigned(Seal(name, accessKey, approval, scopes, expires, secret, pocket ?? Pockets.Main), replace: false);
    }

    /// <summary>
    /// Replaces the secret (and optionally the access key, or the pocket when the new key was issued in
    /// another one) of an existing credential atomically.
    /// </summary>
    public SealedCredential Rotate(string name, string? accessKey, DateTimeOffset? expires, SecretBytes secret, string? pocket = null)
    {
        var current = Store.TryGet(name)
            ?? throw new InvalidOperationException($"No credential named '{name}'; add it with 'credentials add {name}'.");
        var meta = current.Metadata;
        return _records.SaveSigned(Seal(name, accessKey ?? meta.AccessKey, meta.Approval, meta.Scopes, expires, secret, pocket ?? meta.Pocket), replace: true);
    }

    /// <summary>Deletes a credential: narrowing, so it needs no token; the removal is anchored in the audit log.</summary>
    public void Remove(string name) => _records.RemoveCredential(name);

    private SealedCredential Seal(string name, string accessKey, ApprovalMode approval, IReadOnlyList<string> scopes,
        DateTimeOffset? expires, SecretBytes secret, string pocket)
    {
        CredentialName.Validate(name, "name");
        if (!Pockets.IsValid(pocket))
            throw new ArgumentException($"--pocket '{pocket}' is not a pocket name; use 1-{Pockets.MaxLength} characters of a-z, 0-9, '_' or '-', e.g. --pocket {Pockets.Main} or --pocket sub1.");
        if (string.IsNullOrWhiteSpace(accessKey) || accessKey.Length > 128 || accessKey.Any(c => c is < '!' or > '~'))
            throw new ArgumentException("--access-key must be the printable Upbit access key (no spaces, at most 128 characters).");
        var normalized = (scopes.Count == 0 ? DefaultScopes : scopes)
            .Select(s => Scopes.ToWire(Scopes.Parse(s))).Distinct().Order(StringComparer.Ordinal).ToList();
        if (normalized.Contains("withdraw") && approval == ApprovalMode.None)
            throw new ArgumentException("A credential with scope 'withdraw' needs --approval touch (or button): withdrawals are never signed without a physical approval.");
        var now = time.GetUtcNow();
        var expiry = expires ?? now + UpbitKeyLifetime;
        if (expiry <= now)
            throw new ArgumentException($"--expires {expiry:yyyy-MM-dd} is in the past; give the date Upbit shows for this key.");
        var metadata = new CredentialMetadata(name, accessKey, approval, normalized, now, expiry, pocket);
        var pinned = TokenDescriptor.Load(data.TokenFile);
        // With a recovery token enrolled, every credential is sealed to it too.
        var recovery = pinned.Recovery?.PublicKey(KeySlot.Seal) ?? [];
        return CredentialSealer.Seal(metadata, pinned.PublicKey(metadata.Slot), secret.Span, recovery);
    }
}
