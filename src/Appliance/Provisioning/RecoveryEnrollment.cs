using Appliance.Audit;
using Appliance.Config;
using Appliance.Devices.Tokens;
using Appliance.Policy;
using Appliance.Sealing;
using Appliance.Token;

namespace Appliance.Provisioning;

/// <summary>
/// <c>appliance recovery enroll</c> (or <c>init --recovery-token-label</c>): records a second token's public keys in
/// token.json, so that from then on every credential is also sealed to it. Credentials that exist already are
/// re-sealed now with the primary token (a touch per touch-gated credential) and signed again (one touch); the
/// enrollment is recorded in the audit log under a checkpoint of the primary's audit key, which is what later lets
/// <c>audit verify</c> trust a move to a new primary signed by this recovery key. The server must be stopped.
/// </summary>
public sealed class RecoveryEnrollment(DataDir data, TimeProvider time, TextWriter output)
{
    public sealed record Result(RecoveryDescriptor Recovery, IReadOnlyList<string> Resealed);

    public Result Run(TokenInitRequest recoveryToken) => RunAsync(recoveryToken, CancellationToken.None).GetAwaiter().GetResult();

    public async Task<Result> RunAsync(TokenInitRequest recoveryToken, CancellationToken cancellationToken)
    {
        await RecoveryRestore.RequireNoServerAsync(data, cancellationToken);
        var pinned = TokenDescriptor.Load(data.TokenFile);
        var (found, _) = new TokenInit(data, time, output).PrepareToken(recoveryToken, RecoveryDescriptor.Slots);
        if (found.Serial == pinned.Serial)
            throw new ArgumentException($"Token {found.Serial} is this appliance's primary token; the recovery key must be a second token, kept offline.");
        var recovery = new RecoveryDescriptor
        {
            Serial = found.Serial,
            Kind = TokenDescriptor.Pkcs11Kind,
            Label = found.Label,
            PublicKeys = found.PublicKeys,
            Enrolled = time.GetUtcNow(),
        };
        if (pinned.Recovery is { } existing && (existing.Serial != recovery.Serial
            || !RecoveryDescriptor.Slots.All(s => existing.PublicKey(s).AsSpan().SequenceEqual(recovery.PublicKey(s)))))
            throw new InvalidOperationException(
                $"A recovery token is already enrolled (serial {existing.Serial}); enrolling another would leave credentials sealed to the first. Restore from it, or start from 'appliance init'.");

        var config = ApplianceConfig.Load(data.ConfigFile);
        using var primary = TokenOpener.Open(data, config.PinFile);
        var store = new CredentialStore(data.Root);
        var resealed = new List<SealedCredential>();
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var credential in store.List())
        {
            if (credential.Metadata.Approval == ApprovalMode.Touch && !primary.IsSoftware)
                output.WriteLine($"Touch the YubiKey now to re-seal credential {credential.Name} (slot {credential.Slot.PivName()})…");
            using var secret = CredentialSealer.Unseal(credential, primary);
            resealed.Add(CredentialSealer.Seal(credential.Metadata, pinned.PublicKey(credential.Slot), secret.Span, recovery.PublicKey(KeySlot.Seal)));
            versions[credential.Name] = PolicyGate.ReadSeal(credential.PolicyBlock)?.Version ?? 0;
        }
        var records = new PolicyRecords(data, time, new TokenPolicySigner(primary, output));
        var signed = resealed.Count > 0 ? records.SignCredentials(resealed, versions) : [];

        // Files first: if the audit append fails afterwards, the new versions are anchored by the server when it loads them.
        foreach (var credential in signed) store.Replace(credential);
        (pinned with { Recovery = recovery }).Save(data.TokenFile);
        await using (var log = FileAuditLog.Open(data.AuditDir, new TokenCheckpointSigner(primary), time: time))
        {
            await log.AppendAsync(AuditKeyEvents.Entry(new RecoveryEnrolled(recovery.Serial, recovery.PublicKey(KeySlot.Audit),
                recovery.PublicKey(KeySlot.Seal)), time.GetUtcNow()), cancellationToken);
            foreach (var credential in signed)
                await log.AppendAsync(PolicyAnchorLog.Anchor(new PolicyAnchor(PolicyRecordKey.Credential(credential.Name),
                    PolicyGate.ReadSeal(credential.PolicyBlock)!.Version, PolicyChanges.Signed), time.GetUtcNow()), cancellationToken);
        } // closing signs a checkpoint with the primary's audit key over the enrollment
        return new Result(recovery, signed.Select(c => c.Name).ToList());
    }
}
