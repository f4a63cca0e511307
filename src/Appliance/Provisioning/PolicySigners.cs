using Appliance.Config;
using Appliance.Devices.Tokens;
using Appliance.Policy;
using Appliance.Token;

namespace Appliance.Provisioning;

/// <summary>Signs with a token that is already open (its policy slot, 84).</summary>
public sealed class TokenPolicySigner(IHardwareToken token, TextWriter? prompt = null) : IPolicySigner
{
    public byte[] PublicKey => token.GetPublicKey(KeySlot.Policy);

    public byte[] SignDigest(ReadOnlySpan<byte> sha256Digest)
    {
        if (!token.IsSoftware) prompt?.WriteLine($"Touch the key of token {token.Serial} now to sign the policy change (slot {KeySlot.Policy.PivName()}, touch policy always on a YubiKey)…");
        return token.SignDigest(KeySlot.Policy, sha256Digest);
    }
}

/// <summary>
/// Signs with the data dir's pinned token, opened (PIN from appliance.json's pin_file) only when a signature is
/// asked for: a change that narrows power never opens the token, so it works with the key absent.
/// </summary>
public sealed class DataDirPolicySigner(DataDir data, TextWriter? prompt = null) : IPolicySigner
{
    public byte[] PublicKey => TokenDescriptor.Load(data.TokenFile).PublicKey(KeySlot.Policy);

    public byte[] SignDigest(ReadOnlySpan<byte> sha256Digest)
    {
        var config = ApplianceConfig.Load(data.ConfigFile);
        using var token = TokenOpener.Open(data, config.PinFile);
        return new TokenPolicySigner(token, prompt).SignDigest(sha256Digest);
    }
}
