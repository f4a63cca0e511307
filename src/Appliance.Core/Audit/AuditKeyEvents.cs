using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Appliance.Sealing;

namespace Appliance.Audit;

/// <summary>A token key event in the audit chain (kind <c>key</c>).</summary>
public abstract record AuditKeyEvent;

/// <summary>A recovery token was enrolled: its audit-slot key may later sign a move to a new primary.</summary>
public sealed record RecoveryEnrolled(string Serial, byte[] AuditKey, byte[] SealKey) : AuditKeyEvent;

/// <summary>
/// The data dir moved to a new primary token (<c>recovery restore</c>): checkpoints after this record are signed by
/// <see cref="NewAuditKey"/>. Signed by the enrolled recovery token's audit-slot key over the record it follows.
/// </summary>
public sealed record AuditKeyRotated(long AfterSeq, string AfterHash, byte[] OldAuditKey, byte[] NewAuditKey, string RecoverySerial, byte[] Signature)
    : AuditKeyEvent;

/// <summary>Writing and reading <see cref="AuditKind.Key"/> records; their <c>detail</c> is compact JSON.</summary>
public static class AuditKeyEvents
{
    private const string Enrolled = "recovery-enrolled";
    private const string Rotated = "primary-rotated";
    internal static ReadOnlySpan<byte> Marker => ",\"kind\":\"key\","u8;

    public static AuditEntry Entry(AuditKeyEvent e, DateTimeOffset time) => new()
    {
        Kind = AuditKind.Key,
        Time = time,
        Reason = e is RecoveryEnrolled ? Enrolled : Rotated,
        Detail = (e switch
        {
            RecoveryEnrolled r => new JsonObject
            {
                ["event"] = Enrolled, ["serial"] = r.Serial,
                ["audit_key"] = Convert.ToBase64String(r.AuditKey), ["seal_key"] = Convert.ToBase64String(r.SealKey),
            },
            AuditKeyRotated r => new JsonObject
            {
                ["event"] = Rotated, ["after_seq"] = r.AfterSeq, ["after_hash"] = r.AfterHash,
                ["old_audit_key"] = Convert.ToBase64String(r.OldAuditKey), ["new_audit_key"] = Convert.ToBase64String(r.NewAuditKey),
                ["recovery_serial"] = r.RecoverySerial, ["signature"] = Convert.ToBase64String(r.Signature),
            },
            _ => throw new ArgumentOutOfRangeException(nameof(e)),
        }).ToJsonString(),
    };

    /// <summary>What the recovery key signs: SHA-256("appliance/v1/audit-rotation\n{after_seq}\n{after_hash}\n{old}\n{new}").</summary>
    public static byte[] RotationDigest(long afterSeq, string afterHash, ReadOnlySpan<byte> oldKey, ReadOnlySpan<byte> newKey) =>
        SHA256.HashData(Encoding.ASCII.GetBytes(
            $"appliance/v1/audit-rotation\n{afterSeq}\n{afterHash}\n{Convert.ToBase64String(oldKey)}\n{Convert.ToBase64String(newKey)}"));

    public static bool VerifyRotation(AuditKeyRotated r, ReadOnlySpan<byte> recoveryAuditKey)
    {
        try
        {
            using var key = ECDsa.Create(P256Point.ToPublicParameters(recoveryAuditKey, nameof(recoveryAuditKey)));
            return key.VerifyHash(RotationDigest(r.AfterSeq, r.AfterHash, r.OldAuditKey, r.NewAuditKey), r.Signature,
                DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (ArgumentException) { return false; }
    }

    public static AuditKeyEvent? TryRead(AuditEntry entry)
    {
        if (entry.Kind != AuditKind.Key || entry.Detail is null) return null;
        try
        {
            using var doc = JsonDocument.Parse(entry.Detail);
            var d = doc.RootElement;
            byte[] B(string name) => Convert.FromBase64String(d.GetProperty(name).GetString()!);
            return d.GetProperty("event").GetString() switch
            {
                Enrolled => new RecoveryEnrolled(d.GetProperty("serial").GetString()!, B("audit_key"), B("seal_key")),
                Rotated => new AuditKeyRotated(d.GetProperty("after_seq").GetInt64(), d.GetProperty("after_hash").GetString()!,
                    B("old_audit_key"), B("new_audit_key"), d.GetProperty("recovery_serial").GetString()!, B("signature")),
                _ => null,
            };
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The checkpoint keys of the log in order: the first rotation's old key, then each new one. Empty: never rotated.</summary>
    public static IReadOnlyList<byte[]> KeyChain(string directory)
    {
        var chain = new List<byte[]>();
        foreach (var (_, path) in AuditSegments.List(directory))
        {
            var (lines, _) = AuditSegments.ReadLines(File.ReadAllBytes(path));
            foreach (var line in lines)
            {
                if (line.Span.IndexOf(Marker) < 0) continue;
                AuditRecord record;
                try { record = AuditRecordJson.Parse(line.Span); }
                catch (FormatException) { continue; }
                if (TryRead(record.Entry) is not AuditKeyRotated r) continue;
                if (chain.Count == 0) chain.Add(r.OldAuditKey);
                chain.Add(r.NewAuditKey);
            }
        }
        return chain;
    }
}
