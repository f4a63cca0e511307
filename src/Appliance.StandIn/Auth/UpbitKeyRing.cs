using System.Security.Cryptography;
using System.Text;

namespace Appliance.StandIn;

/// <summary>
/// The stand-in exchange's registered API keys and the nonces each key has used. Thread-safe:
/// Kestrel serves requests concurrently.
/// </summary>
internal sealed class UpbitKeyRing : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, byte[]> _secrets = new(StringComparer.Ordinal);
    private readonly HashSet<(string AccessKey, string Nonce)> _usedNonces = [];

    /// <summary>Registers (or replaces) a key. The secret is used as raw UTF-8 bytes, as Upbit does.</summary>
    public void Add(string accessKey, string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessKey);
        ArgumentException.ThrowIfNullOrEmpty(secret);
        var bytes = Encoding.UTF8.GetBytes(secret);
        lock (_gate)
        {
            if (_secrets.Remove(accessKey, out var old))
            {
                CryptographicOperations.ZeroMemory(old);
            }

            _secrets[accessKey] = bytes;
        }
    }

    /// <summary>Computes HMAC over <paramref name="signingInput"/> with the key's secret; null if the key is unknown.</summary>
    public byte[]? Mac(string accessKey, string alg, ReadOnlySpan<byte> signingInput)
    {
        lock (_gate)
        {
            if (!_secrets.TryGetValue(accessKey, out var secret))
            {
                return null;
            }

            return alg switch
            {
                "HS512" => HMACSHA512.HashData(secret, signingInput),
                "HS256" => HMACSHA256.HashData(secret, signingInput),
                _ => throw new ArgumentException($"Unsupported alg '{alg}'; use HS512 or HS256.", nameof(alg)),
            };
        }
    }

    /// <summary>The registered access keys, in ordinal order.</summary>
    public IReadOnlyList<string> AccessKeys
    {
        get
        {
            lock (_gate)
            {
                return [.. _secrets.Keys.Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>Records the nonce; false if this key has already used it.</summary>
    public bool TryUseNonce(string accessKey, string nonce)
    {
        lock (_gate)
        {
            return _usedNonces.Add((accessKey, nonce));
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var secret in _secrets.Values)
            {
                CryptographicOperations.ZeroMemory(secret);
            }

            _secrets.Clear();
        }
    }
}
