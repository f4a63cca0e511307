using System.Security.Cryptography;
using System.Text;
using Appliance.Sealing;

namespace Appliance.Audit;

/// <summary>
/// What a checkpoint signs: SHA-256 of "appliance/v1/audit-checkpoint\n{seq}\n{hash}" (ASCII), so a
/// checkpoint signature can never be mistaken for any other use of the audit key. ECDSA P-256, r || s.
/// </summary>
public static class AuditCheckpointSigning
{
    public static byte[] Digest(long seq, string hash) =>
        SHA256.HashData(Encoding.ASCII.GetBytes($"appliance/v1/audit-checkpoint\n{seq}\n{hash}"));

    public static bool Verify(ReadOnlySpan<byte> publicPoint, AuditCheckpoint checkpoint)
    {
        byte[] signature;
        try { signature = Convert.FromBase64String(checkpoint.Signature); }
        catch (FormatException) { return false; }
        using var key = ECDsa.Create(P256Point.ToPublicParameters(publicPoint, nameof(publicPoint)));
        return key.VerifyHash(Digest(checkpoint.Seq, checkpoint.Hash), signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }
}
