namespace Appliance.Audit;

/// <summary>
/// The one thing the audit log asks of a key: sign a checkpoint digest (ECDSA P-256, r || s). The
/// executable adapts the hardware token to it (the PIV audit slot), so the audit chain knows nothing
/// of tokens; verification needs only the public point pinned in token.json.
/// </summary>
public interface ICheckpointSigner
{
    /// <summary>The key's name as checkpoint records carry it (the PIV slot, e.g. "9c").</summary>
    string KeyName { get; }

    /// <summary>Which key signs, for the start record ("token 1234 slot 9c").</summary>
    string Description { get; }

    /// <summary>Signs <see cref="AuditCheckpointSigning.Digest"/>; the signature as r || s (64 bytes).</summary>
    byte[] Sign(ReadOnlySpan<byte> sha256Digest);
}
