using Appliance.Audit;
using Appliance.Devices.Tokens;
using Appliance.Token;

namespace Appliance.Tests.Audit;

/// <summary>
/// <c>audit verify</c> across a move to a new primary: it follows a move signed by a recovery key enrolled (and
/// checkpointed) earlier, and refuses one signed by anyone else, or before the enrollment was checkpointed.
/// </summary>
public sealed class AuditKeyRotationTests : IAsyncDisposable
{
    private readonly AuditTestLog _audit = new();
    private readonly SoftwareToken _recovery = SoftwareToken.Create();
    private readonly SoftwareToken _next = SoftwareToken.Create();

    public async ValueTask DisposeAsync()
    {
        await _audit.DisposeAsync();
        _recovery.Dispose();
        _next.Dispose();
    }

    private AuditEntry Enrollment(SoftwareToken recovery) => AuditKeyEvents.Entry(
        new RecoveryEnrolled(recovery.Serial, recovery.GetPublicKey(KeySlot.Audit), recovery.GetPublicKey(KeySlot.Seal)), DateTimeOffset.UtcNow);

    /// <summary>Appends, in a log whose checkpoints the next token signs, a move signed by <paramref name="signer"/>.</summary>
    private async Task MoveAsync(SoftwareToken signer)
    {
        var last = AuditReader.ReadAll(_audit.Directory).Last();
        var oldKey = _audit.PublicKey;
        var newKey = _next.GetPublicKey(KeySlot.Audit);
        var signature = signer.SignDigest(KeySlot.Audit, AuditKeyEvents.RotationDigest(last.Seq, last.Hash, oldKey, newKey));
        // As RecoveryRestore does: the move is appended before the next token signs anything (it signs an unsigned tail at open).
        await using (var unsigned = FileAuditLog.Open(_audit.Directory, null, _audit.Options))
            await unsigned.AppendAsync(AuditKeyEvents.Entry(new AuditKeyRotated(last.Seq, last.Hash, oldKey, newKey, signer.Serial, signature), DateTimeOffset.UtcNow),
                CancellationToken.None);
        await using var log = FileAuditLog.Open(_audit.Directory, new TokenCheckpointSigner(_next), _audit.Options);
        await log.RecordAsync(AuditTestLog.Decision(1), CancellationToken.None);
    }

    [Fact]
    public async Task A_move_signed_by_the_enrolled_recovery_key_is_followed_from_either_key()
    {
        var log = _audit.Open();
        await log.AppendAsync(Enrollment(_recovery), CancellationToken.None);
        await log.RecordAsync(AuditTestLog.Decision(1), CancellationToken.None);
        await _audit.CloseAsync(); // the closing checkpoint covers the enrollment
        await MoveAsync(_recovery);

        var fromNew = AuditVerifier.Verify(_audit.Directory, _next.GetPublicKey(KeySlot.Audit));
        Assert.True(fromNew.Ok, fromNew.Problem?.ToString());
        Assert.True(AuditVerifier.Verify(_audit.Directory, _audit.PublicKey).Ok);
        Assert.Contains(fromNew.Warnings, w => w.Contains("moved to a new primary token 1 time"));
        Assert.False(AuditVerifier.Verify(_audit.Directory, _recovery.GetPublicKey(KeySlot.Audit)).Ok);
    }

    [Fact]
    public async Task A_move_signed_by_a_key_that_was_never_enrolled_is_refused()
    {
        using var attacker = SoftwareToken.Create();
        var log = _audit.Open();
        await log.AppendAsync(Enrollment(_recovery), CancellationToken.None);
        await _audit.CloseAsync();
        await MoveAsync(attacker);
        var result = AuditVerifier.Verify(_audit.Directory, _next.GetPublicKey(KeySlot.Audit));
        Assert.False(result.Ok);
        Assert.Contains("not signed by a recovery key enrolled", result.Problem!.Message);
    }

    [Fact]
    public async Task An_enrollment_no_checkpoint_covered_cannot_authorise_a_move()
    {
        using var attacker = SoftwareToken.Create();
        var log = _audit.Open();
        await log.RecordAsync(AuditTestLog.Decision(1), CancellationToken.None);
        await _audit.CloseAsync();
        // Someone who can write the log appends an enrollment of their own key and a move signed by it.
        await using (var forged = FileAuditLog.Open(_audit.Directory, null, _audit.Options))
            await forged.AppendAsync(Enrollment(attacker), CancellationToken.None);
        await MoveAsync(attacker);
        var result = AuditVerifier.Verify(_audit.Directory, _audit.PublicKey);
        Assert.False(result.Ok);
        Assert.Contains("not signed by a recovery key enrolled (and checkpointed)", result.Problem!.Message);
    }
}
