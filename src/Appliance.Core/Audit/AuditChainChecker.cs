namespace Appliance.Audit;

/// <summary>
/// Checks records one at a time, in chain order, from a known start (record 1 after the genesis hash,
/// an anchor, or a record the caller already trusts): each record's hash matches its content, seq runs
/// without gap, prev is the previous hash, and each checkpoint names a record since the previous
/// checkpoint by its true hash (and, given a key, carries a valid signature). Used by
/// <see cref="AuditVerifier"/> over the whole log and by the log itself at start, over the tail.
/// </summary>
internal sealed class AuditChainChecker
{
    private readonly byte[]? _key;
    private readonly long _firstSeq;

    // Hashes of records not yet covered by a checkpoint: a checkpoint must name one of them.
    private readonly Dictionary<long, string> _uncovered = [];
    private readonly Queue<long> _uncoveredContent = new();

    /// <param name="firstSeq">The seq of the first record fed.</param>
    /// <param name="prev">The hash that record must name as prev.</param>
    /// <param name="key">The audit public key; null: signatures are not checked.</param>
    public AuditChainChecker(long firstSeq, string prev, byte[]? key)
    {
        (_firstSeq, Expected, Prev, _key) = (firstSeq, firstSeq, prev, key);
        // A checkpoint may name the record just before the start (an anchor's last pruned record).
        if (firstSeq > 1) _uncovered[firstSeq - 1] = prev;
    }

    /// <summary>
    /// With a key: follows moves to a new primary token (recovery restore), so checkpoints after a move verify against
    /// the new audit key; null: every checkpoint must verify against the key given.
    /// </summary>
    public AuditKeyTracker? Keys { get; init; }

    private string? _lastCheckpointedHash;

    private byte[]? Key => Keys?.Current ?? _key;

    public long Expected { get; private set; }
    public string Prev { get; private set; }
    public long Records { get; private set; }
    public int Checkpoints { get; private set; }
    public long LastCheckpointed { get; private set; }
    public long LastContent { get; private set; }

    /// <summary>Checkpoints that name a record before the start (pruned): their signature is checked, the hash cannot be.</summary>
    public int CheckpointsOfPrunedRecords { get; private set; }

    /// <summary>Records other than checkpoints after the last checkpoint's record.</summary>
    public long UncoveredContent => _uncoveredContent.Count;

    /// <summary>
    /// Null when <paramref name="r"/> continues the chain; otherwise what is wrong and the seq it is about
    /// (the missing one when records are missing). The state is then unchanged.
    /// </summary>
    public (string Message, long Seq)? Check(AuditRecord r) => Check(r, AuditRecordJson.ComputeHash(r));

    /// <summary><see cref="Check(AuditRecord)"/> with the hash of its content already computed (<see cref="AuditRecordJson.ParseAndHash"/>).</summary>
    public (string Message, long Seq)? Check(AuditRecord r, string computedHash) => Problem(r, computedHash) is { } message
        ? (message, r.Seq > Expected && computedHash == r.Hash ? Expected : r.Seq)
        : null;

    private string? Problem(AuditRecord r, string computedHash)
    {
        if (computedHash != r.Hash)
            return "its content does not match its hash: the record was edited";
        if (r.Seq > Expected)
            return r.Seq == Expected + 1
                ? $"record {Expected} is missing (found record {r.Seq} in its place)"
                : $"records {Expected} to {r.Seq - 1} are missing (found record {r.Seq} in their place)";
        if (r.Seq < Expected)
            return $"out of order: record {r.Seq} appears where record {Expected} should be";
        if (r.Prev != Prev)
            return r.Seq == _firstSeq
                ? $"its prev does not match the hash the log starts from ({(r.Seq == 1 ? "genesis" : "anchor.json")})"
                : $"its prev does not match the hash of record {r.Seq - 1}: a record before it was replaced";
        if (r.Entry.Checkpoint is { } c)
        {
            if (c.Seq < _firstSeq - 1)
            {
                if (_key is not null && !AuditCheckpointSigning.Verify(Key!, c))
                    return $"checkpoint signature does not verify against the pinned audit key (token.json slot {c.Key})";
                CheckpointsOfPrunedRecords++;
            }
            else
            {
                if (!_uncovered.TryGetValue(c.Seq, out var hash))
                    return $"checkpoint names record {c.Seq}, which is not a record since the previous checkpoint";
                if (hash != c.Hash)
                    return $"checkpoint names record {c.Seq} with a hash that is not that record's hash";
                if (_key is not null && !AuditCheckpointSigning.Verify(Key!, c))
                    return $"checkpoint signature does not verify against the pinned audit key (token.json slot {c.Key})";
            }
            Keys?.Covered(c.Seq);
            if (c.Seq >= LastCheckpointed) _lastCheckpointedHash = c.Hash;
            foreach (var seq in _uncovered.Keys.Where(k => k <= c.Seq).ToList()) _uncovered.Remove(seq);
            while (_uncoveredContent.TryPeek(out var s) && s <= c.Seq) _uncoveredContent.Dequeue();
            LastCheckpointed = Math.Max(LastCheckpointed, c.Seq);
            Checkpoints++;
        }
        else
        {
            if (Keys?.Observe(r, seq => _uncovered.TryGetValue(seq, out var h) ? h : seq == LastCheckpointed ? _lastCheckpointedHash : null) is { } rotation)
                return rotation;
            LastContent = r.Seq;
            _uncoveredContent.Enqueue(r.Seq);
        }
        _uncovered[r.Seq] = r.Hash;
        Prev = r.Hash;
        Expected++;
        Records++;
        return null;
    }
}
