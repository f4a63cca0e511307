namespace Appliance.Audit;

/// <summary>
/// Which key checkpoints must verify against while <see cref="AuditVerifier"/> walks the chain, across moves to a new
/// primary token. Starts with the log's first checkpoint key (found from the rotation records); a recovery key becomes
/// trusted once a checkpoint covers its enrollment record; a rotation record switches the key only when it is signed by
/// such a recovery key over a record of this chain and names the key in use as the old one. The key the verifier was
/// given (token.json's, or <c>--key</c>) must be one of the keys the chain passes through.
/// </summary>
public sealed class AuditKeyTracker
{
    private readonly List<byte[]> _trustedRecovery = [];
    private readonly List<(long Seq, byte[] Key)> _pendingRecovery = [];

    private AuditKeyTracker(byte[] first) => Current = first;

    /// <summary>The key checkpoints are verified against now.</summary>
    public byte[] Current { get; private set; }

    public int Rotations { get; private set; }

    /// <summary>A tracker for this log, or a problem when the trusted key is not one of its checkpoint keys.</summary>
    public static AuditKeyTracker Start(string directory, byte[] trustedKey, out string? problem)
    {
        var chain = AuditKeyEvents.KeyChain(directory);
        problem = chain.Count == 0 || chain.Any(k => k.AsSpan().SequenceEqual(trustedKey))
            ? null
            : $"the log moved to other checkpoint keys ({chain.Count - 1} rotation(s)) and none is the trusted key";
        return new AuditKeyTracker(chain.Count > 0 ? chain[0] : trustedKey);
    }

    /// <summary>A checkpoint verified over every record up to <paramref name="seq"/>: enrollments among them are now trusted.</summary>
    public void Covered(long seq)
    {
        foreach (var pending in _pendingRecovery.Where(p => p.Seq <= seq).ToList())
        {
            _trustedRecovery.Add(pending.Key);
            _pendingRecovery.Remove(pending);
        }
    }

    /// <summary>Takes note of a key record; a problem (naming it) when a rotation does not hold.</summary>
    /// <param name="hashOf">The hash of an earlier record of this chain that no checkpoint has covered yet, or of the last checkpointed one.</param>
    public string? Observe(AuditRecord record, Func<long, string?> hashOf)
    {
        switch (AuditKeyEvents.TryRead(record.Entry))
        {
            case RecoveryEnrolled enrolled:
                _pendingRecovery.Add((record.Seq, enrolled.AuditKey));
                return null;
            case AuditKeyRotated rotated:
                if (!rotated.OldAuditKey.AsSpan().SequenceEqual(Current))
                    return "a move to a new primary token names an old checkpoint key that is not the one in use";
                if (hashOf(rotated.AfterSeq) != rotated.AfterHash)
                    return $"a move to a new primary token is signed after record {rotated.AfterSeq}, which is not that record of this chain";
                if (!_trustedRecovery.Any(k => AuditKeyEvents.VerifyRotation(rotated, k)))
                    return "a move to a new primary token is not signed by a recovery key enrolled (and checkpointed) earlier in the log";
                Current = rotated.NewAuditKey;
                Rotations++;
                return null;
            default:
                return null;
        }
    }
}
