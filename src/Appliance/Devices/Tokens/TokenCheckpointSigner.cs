using Appliance.Audit;
using Appliance.Token;

namespace Appliance.Devices.Tokens;

/// <summary>The token's audit slot as the audit log's checkpoint signer. Does not own the token.</summary>
public sealed class TokenCheckpointSigner(IHardwareToken token) : ICheckpointSigner
{
    public string KeyName => KeySlot.Audit.PivName();

    public string Description => $"token {token.Serial} slot {KeyName}";

    public byte[] Sign(ReadOnlySpan<byte> sha256Digest) => token.SignDigest(KeySlot.Audit, sha256Digest);
}
