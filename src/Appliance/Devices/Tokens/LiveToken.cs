using Appliance.Token;

namespace Appliance.Devices.Tokens;

/// <summary>
/// The pinned token as it is in the port now. After an unplug and re-plug the presence monitor opens
/// a new instance; whoever holds a LiveToken (the audit log's checkpoint signer) uses that one, and
/// gets a clear "not present" error while there is none. Owns nothing: the monitor owns the instance.
/// </summary>
public sealed class LiveToken(TokenPresenceMonitor monitor, string serial, bool isSoftware) : IHardwareToken
{
    public string Serial => serial;

    public bool IsSoftware => isSoftware;

    public bool IsPresent() => monitor.Current?.IsPresent() ?? false;

    public byte[] GetPublicKey(KeySlot slot) => Current().GetPublicKey(slot);

    public byte[] DeriveSharedSecret(KeySlot slot, ReadOnlySpan<byte> peerPublicPoint) => Current().DeriveSharedSecret(slot, peerPublicPoint);

    public byte[] SignDigest(KeySlot slot, ReadOnlySpan<byte> sha256Digest) => Current().SignDigest(slot, sha256Digest);

    private IHardwareToken Current() =>
        monitor.Current ?? throw new InvalidOperationException($"Token {serial} is not present; plug it back in.");

    public void Dispose() { }
}
