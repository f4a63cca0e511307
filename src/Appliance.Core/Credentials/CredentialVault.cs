using Appliance.Common;
using Appliance.Sealing;
using Appliance.Token;
using Appliance.Pipeline;

namespace Appliance.Credentials;

/// <summary>Reads an unsealed secret without letting it escape: the span is valid only inside the call.</summary>
public delegate T SecretUse<out T>(CredentialMetadata metadata, ReadOnlySpan<byte> secret);

/// <summary>
/// The unsealed secrets of a running server, in locked pages (SecretBytes). Signing holds a read lock while
/// it uses a secret; zeroing (token pulled, shutdown) takes the write lock, so it waits for
/// in-flight signatures to finish and no signature starts on a half-zeroed key.
/// Touch-gated credentials are never held here: they are unsealed per use, after the touch.
/// </summary>
public sealed class CredentialVault(TimeProvider time) : IDisposable
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    private sealed record Entry(SealedCredential Sealed, SecretBytes? Secret);

    public IReadOnlyCollection<string> Names
    {
        get
        {
            _lock.EnterReadLock();
            try { return _entries.Keys.Order(StringComparer.Ordinal).ToList(); }
            finally { _lock.ExitReadLock(); }
        }
    }

    /// <summary>Replaces the contents: every credential that needs no touch is unsealed with the token.</summary>
    /// <returns>The credentials left out, and why: one sealed to another key or altered on disk does not keep
    /// the others (or a removal) from loading. A token that fails during the load still throws.</returns>
    public IReadOnlyList<(string Name, string Problem)> Load(IEnumerable<SealedCredential> credentials, IHardwareToken token)
    {
        var next = new Dictionary<string, Entry>(StringComparer.Ordinal);
        var skipped = new List<(string, string)>();
        try
        {
            foreach (var sealedCredential in credentials)
            {
                if (!token.GetPublicKey(sealedCredential.Slot).AsSpan().SequenceEqual(sealedCredential.TokenPublicKey.Span))
                {
                    skipped.Add((sealedCredential.Name, $"sealed to another key than slot {sealedCredential.Slot.PivName()} of token {token.Serial}; run 'appliance credentials rotate {sealedCredential.Name}'"));
                    continue;
                }
                SecretBytes? secret;
                try
                {
                    secret = sealedCredential.Metadata.Approval == ApprovalMode.Touch ? null : CredentialSealer.Unseal(sealedCredential, token);
                }
                catch (System.Security.Cryptography.CryptographicException e)
                {
                    skipped.Add((sealedCredential.Name, e.Message));
                    continue;
                }
                next[sealedCredential.Name] = new Entry(sealedCredential, secret);
            }
        }
        catch
        {
            foreach (var entry in next.Values) entry.Secret?.Dispose();
            throw;
        }
        Swap(next);
        return skipped;
    }

    /// <summary>Zeroes every secret but keeps the metadata, so refusals can still name the credential.</summary>
    public void ZeroAll()
    {
        _lock.EnterWriteLock();
        try
        {
            foreach (var entry in _entries.Values) entry.Secret?.Dispose();
            _entries = _entries.ToDictionary(e => e.Key, e => e.Value with { Secret = null }, StringComparer.Ordinal);
        }
        finally { _lock.ExitWriteLock(); }
    }

    /// <summary>True when at least one secret is held in memory.</summary>
    public bool HasSecrets
    {
        get
        {
            _lock.EnterReadLock();
            try { return _entries.Values.Any(e => e.Secret is { IsDisposed: false }); }
            finally { _lock.ExitReadLock(); }
        }
    }

    public CredentialMetadata Metadata(string name)
    {
        _lock.EnterReadLock();
        try { return Find(name).Sealed.Metadata; }
        finally { _lock.ExitReadLock(); }
    }

    public T UseSecret<T>(string name, SecretUse<T> use)
    {
        _lock.EnterReadLock();
        try
        {
            var entry = Find(name);
            var metadata = entry.Sealed.Metadata;
            EnsureNotExpired(metadata);
            if (entry.Secret is null || entry.Secret.IsDisposed)
                throw metadata.Approval == ApprovalMode.Touch ? Refusals.TouchOnly(name) : Refusals.Sealed(name);
            return use(metadata, entry.Secret.Span);
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>True for a known credential sealed to the touch slot: it is unsealed per use, by a touch.</summary>
    public bool IsTouchGated(string name)
    {
        _lock.EnterReadLock();
        try { return _entries.TryGetValue(name, out var entry) && entry.Sealed.Metadata.Approval == ApprovalMode.Touch; }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>The envelope of a touch-gated credential, for <see cref="Token.TouchUnsealer"/>; same refusals as <see cref="UseSecret{T}"/>.</summary>
    public SealedCredential TouchGatedEnvelope(string name)
    {
        _lock.EnterReadLock();
        try
        {
            var entry = Find(name);
            EnsureNotExpired(entry.Sealed.Metadata);
            if (entry.Sealed.Metadata.Approval != ApprovalMode.Touch)
                throw new InvalidOperationException($"Credential '{name}' is not touch-gated.");
            return entry.Sealed;
        }
        finally { _lock.ExitReadLock(); }
    }

    private void EnsureNotExpired(CredentialMetadata metadata)
    {
        if (metadata.IsExpiredAt(time.GetUtcNow()))
            throw Refusals.CredentialExpired(metadata.Name, metadata.Expires);
    }

    /// <summary>For tests that check zeroing: the buffers currently held (disposed ones included until replaced).</summary>
    internal IReadOnlyList<SecretBytes> SecretsForTests()
    {
        _lock.EnterReadLock();
        try { return _entries.Values.Select(e => e.Secret).OfType<SecretBytes>().ToList(); }
        finally { _lock.ExitReadLock(); }
    }

    private Entry Find(string name) =>
        _entries.TryGetValue(name, out var entry)
            ? entry
            : throw Refusals.UnknownCredential(name);

    private void Swap(Dictionary<string, Entry> next)
    {
        _lock.EnterWriteLock();
        try
        {
            foreach (var entry in _entries.Values) entry.Secret?.Dispose();
            _entries = next;
        }
        finally { _lock.ExitWriteLock(); }
    }

    public void Dispose()
    {
        ZeroAll();
        _lock.Dispose();
    }
}
