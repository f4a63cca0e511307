using System.Security.Cryptography;
using Appliance.Audit;
using Appliance.Config;
using Appliance.Devices.Tokens;
using Appliance.Policy;
using Appliance.Sealing;
using Appliance.Token;

namespace Appliance.Provisioning;

/// <summary>
/// <c>appliance recovery restore</c>: moves a data dir to a new primary token when the old one is lost, using the
/// enrolled recovery token. It makes (or finds) the new primary's keys; opens every credential's recovery copy with the
/// recovery token and seals it again to the new primary (and to the recovery token); has the recovery token sign an
/// audit record naming the new audit key, closed by a checkpoint of that key, so <c>audit verify</c> follows the move;
/// pins the new token in token.json; and signs every record again with the new policy key. The server must be stopped.
/// </summary>
public sealed class RecoveryRestore(DataDir data, TimeProvider time, TextWriter output)
{
    public sealed record Result(TokenDescriptor Primary, IReadOnlyList<string> Moved, IReadOnlyList<string> Lost, string AuditKeyFingerprint);

    public Result Run(TokenInitRequest newPrimary, TokenInitRequest recoveryToken) =>
        RunAsync(newPrimary, recoveryToken, CancellationToken.None).GetAwaiter().GetResult();

    public async Task<Result> RunAsync(TokenInitRequest newPrimary, TokenInitRequest recoveryToken, CancellationToken cancellationToken)
    {
        await RequireNoServerAsync(data, cancellationToken);
        var old = TokenDescriptor.Load(data.TokenFile);
        var enrolled = old.Recovery ?? throw new InvalidOperationException(
            "No recovery token is enrolled in token.json, so the credentials were never sealed to one; add them again on a new token with 'appliance init --force'.");

        if ((newPrimary.TokenSerial is { } serial && serial == enrolled.Serial) || (newPrimary.TokenLabel is { } label && label == enrolled.Label))
            throw new ArgumentException($"Token {enrolled.Serial} is the recovery token; the new primary must be another token (keep the recovery key offline).");

        // 1. The new primary's keys (nothing written yet).
        var (fresh, _) = new TokenInit(data, time, output).PrepareToken(newPrimary, KeySlots.All);
        if (fresh.Serial == enrolled.Serial)
            throw new ArgumentException($"Token {fresh.Serial} is the recovery token; the new primary must be another token (keep the recovery key offline).");
        if (fresh.Serial == old.Serial && KeySlots.All.All(s => fresh.PublicKey(s).AsSpan().SequenceEqual(old.PublicKey(s))))
            throw new InvalidOperationException("That is the primary token this data dir is already bound to; nothing to restore.");

        // 2. With the recovery token: every recovery copy opened and sealed again, and the move signed.
        var store = new CredentialStore(data.Root);
        var credentials = store.List();
        var movable = credentials.Where(c => c.Recovery is { } r && r.PublicKey.Span.SequenceEqual(enrolled.PublicKey(KeySlot.Seal))).ToList();
        var lost = credentials.Except(movable).Select(c => c.Name).ToList();
        var (afterSeq, afterHash) = Head(data.AuditDir);
        var oldAuditKey = old.PublicKey(KeySlot.Audit);
        var newAuditKey = fresh.PublicKey(KeySlot.Audit);
        var resealed = new List<SealedCredential>();
        byte[] signature;
        using (var recovery = Pkcs11Token.Open(new Pkcs11TokenOptions(Path.GetFullPath(recoveryToken.ModulePath), recoveryToken.TokenLabel,
                   recoveryToken.TokenSerial, TokenOpener.ReadPin(recoveryToken.PinFile))))
        {
            if (recovery.Serial != enrolled.Serial || !RecoveryDescriptor.Slots.All(s => recovery.GetPublicKey(s).AsSpan().SequenceEqual(enrolled.PublicKey(s))))
                throw new InvalidOperationException(
                    $"Token {recovery.Serial} is not the enrolled recovery token (serial {enrolled.Serial}, or its keys differ); plug in the one enrolled with 'recovery enroll'.");
            foreach (var credential in movable)
            {
                using var secret = CredentialSealer.UnsealRecovery(credential, recovery);
                resealed.Add(CredentialSealer.Seal(credential.Metadata, fresh.PublicKey(credential.Slot), secret.Span, enrolled.PublicKey(KeySlot.Seal)));
            }
            output.WriteLine($"recovery token {recovery.Serial}: signing the move of the audit log to the new audit key");
            signature = recovery.SignDigest(KeySlot.Audit, AuditKeyEvents.RotationDigest(afterSeq, afterHash, oldAuditKey, newAuditKey));
        }

        // 3. Files: the envelopes sealed to the new primary (signed below), then the new pin (the recovery entry kept).
        foreach (var credential in resealed) store.Replace(credential);
        var primary = fresh with { Recovery = enrolled };
        primary.Save(data.TokenFile);

        // 4. With the new primary: the move recorded and checkpointed with its audit key, then everything signed again.
        using var token = Pkcs11Token.Open(new Pkcs11TokenOptions(Path.GetFullPath(newPrimary.ModulePath), newPrimary.TokenLabel,
            newPrimary.TokenSerial ?? fresh.Serial, TokenOpener.ReadPin(newPrimary.PinFile)));
        primary.Verify(token);
        // Opened without a checkpoint signer first: a log left by a crash has an unsigned tail, which the log would sign
        // at open with the key it is given, and the new key is valid only after the move is on record.
        await using (var log = FileAuditLog.Open(data.AuditDir, null, time: time))
        {
            await log.AppendAsync(AuditKeyEvents.Entry(new AuditKeyRotated(afterSeq, afterHash, oldAuditKey, newAuditKey, enrolled.Serial, signature),
                time.GetUtcNow()), cancellationToken);
        }
        await using (var log = FileAuditLog.Open(data.AuditDir, new TokenCheckpointSigner(token), time: time))
            await log.CheckpointAsync(cancellationToken); // the move, now under the new audit key
        var config = ApplianceConfig.Load(data.ConfigFile);
        if (newPrimary.PinFile is { } pin) (config with { PinFile = Path.GetFullPath(pin) }).Save(data.ConfigFile);
        new PolicySignAll(data, time, new TokenPolicySigner(token, output)).Run();
        return new Result(primary, resealed.Select(c => c.Name).ToList(), lost, Fingerprint(newAuditKey));
    }

    /// <summary>The short fingerprint an operator writes down: the first 16 hex digits of SHA-256 of the public point.</summary>
    public static string Fingerprint(ReadOnlySpan<byte> publicKey) => Convert.ToHexStringLower(SHA256.HashData(publicKey))[..16];

    /// <summary>The last record of the log (what the move is signed after); genesis for an empty log.</summary>
    private static (long Seq, string Hash) Head(string auditDir)
    {
        var segments = AuditSegments.List(auditDir);
        for (var s = segments.Count - 1; s >= 0; s--)
        {
            var records = AuditReader.ReadSegment(segments[s].Path, 0).Records;
            if (records.Count > 0) return (records[^1].Seq, records[^1].Hash);
        }
        return (0, AuditRecord.Genesis);
    }

    /// <summary>These commands write the audit log and token.json themselves: the server must not run meanwhile.</summary>
    public static async Task RequireNoServerAsync(DataDir data, CancellationToken cancellationToken)
    {
        if (!File.Exists(data.AdminSocket)) return;
        try
        {
            await Admin.AdminClient.SendAsync(data.AdminSocket, Admin.AdminCommandNames.Status, cancellationToken);
        }
        catch (InvalidOperationException) { return; } // a socket left behind by a server that is gone
        throw new InvalidOperationException($"An appliance server is running on {data.Root}; stop it first (systemctl stop appliance), then run this again.");
    }
}
