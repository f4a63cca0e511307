using Appliance.Common;
using Appliance.Config;
using Appliance.Sealing;
using Appliance.Upbit;

namespace Appliance.Provisioning;

/// <summary>
/// Adds and rotates credentials. Sealing needs only the pinned public key from token.json, so a
/// credential can be added without unlocking the token; the plaintext exists only in the
/// caller's SecretBytes and never touches disk.
/// </summary>
public sealed class CredentialProvisioning(DataDir data, TimeProvider time)
{
    public static readonly TimeSpan UpbitKeyLifetime = TimeSpan.FromDays(365);

    public static readonly IReadOnlyList<string> DefaultScopes = ["trade", "view-assets", "view-orders"];

    public CredentialStore Store { get; } = new(data.Root);

    /// <param name="pocket">The Upbit pocket the key was issued in (rate limits count per pocket); null: main.</param>
    public SealedCredential Add(string name, string accessKey, ApprovalMode approval, IReadOnlyList<string> scopes,
        DateTimeOffset? expires, SecretBytes secret, string? pocket = null)
    {
        if (Store.Exists(name))
            throw new InvalidOperationException($"A credential named '{name}' exists; use 'credentials rotate {name}' to replace its secret.");
        var sealedCredential = Seal(name, accessKey, approval, scopes, expires, secret, pocket ?? Pockets.Main);
        Store.Add(sealedCredential);
        return sealedCredential;
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
        var rotated = Seal(name, accessKey ?? meta.AccessKey, meta.Approval, meta.Scopes, expires, secret, pocket ?? meta.Pocket);
        Store.Replace(rotated);
        return rotated;
    }

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
        var publicKey = TokenDescriptor.Load(data.TokenFile).PublicKey(metadata.Slot);
        return CredentialSealer.Seal(metadata, publicKey, secret.Span);
    }
}
