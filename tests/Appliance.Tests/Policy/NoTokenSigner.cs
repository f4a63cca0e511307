using Appliance.Policy;

namespace Appliance.Tests.Policy;

/// <summary>The token is not there: any attempt to sign fails like an absent key (and is counted).</summary>
public sealed class NoTokenSigner(byte[] publicKey) : IPolicySigner
{
    public int Attempts { get; private set; }

    public byte[] PublicKey => publicKey;

    public byte[] SignDigest(ReadOnlySpan<byte> sha256Digest)
    {
        Attempts++;
        throw new InvalidOperationException("The token is not present; plug it back in.");
    }
}
