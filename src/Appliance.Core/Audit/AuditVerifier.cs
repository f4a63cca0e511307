namespace Appliance.Audit;

/// <summary>Where verification stopped: the file, its line (1-based), the record's seq if known, and why.</summary>
public sealed record AuditProblem(string File, int Line, long? Seq, string Message)
{
    public override string ToString() =>
        $"{File} line {Line}{(Seq is { } s ? $" (record {s})" : "")}: {Message}";
}

/// <summary>The result of <see cref="AuditVerifier.Verify"/>.</summary>
public sealed record AuditVerification(
    AuditProblem? Problem,
    long Records,
    int Segments,
    int Checkpoints,
    long LastSeq,
    long LastCheckpointedSeq,
    IReadOnlyList<string> Warnings)
{
    public bool Ok => Problem is null;
}

/// <summary>
/// Checks the whole chain: every line is a canonical record whose hash matches its content, the
/// sequence numbers run 1, 2, 3… without gap, each prev is the hash of the record before (across
/// segments), and every checkpoint names a record of this chain by its true hash and carries a valid
/// signature by the pinned audit key. Stops at the first bad record and names it.
/// </summary>
public static class AuditVerifier
{
    public static AuditVerification Verify(string directory, ReadOnlySpan<byte> auditPublicKey)
    {
        var keys = AuditKeyTracker.Start(directory, auditPublicKey.ToArray(), out var keyProblem); // follows moves to a new primary
        var warnings = new List<string>();
        string? lastCheckpointedHash = null;
        var segments = AuditSegments.List(directory);
        long expected = 1, records = 0, lastCheckpointed = 0, lastContent = 0;
        var checkpoints = 0;
        var prev = AuditRecord.Genesis;
        // Hashes of records not yet covered by a checkpoint: a checkpoint must name one of them.
        var uncovered = new Dictionary<long, string>();

        AuditVerification Fail(string file, int line, long? seq, string message) =>
            new(new AuditProblem(file, line, seq, message), records, segments.Count, checkpoints, expected - 1, lastCheckpointed, warnings);

        if (segments.Count == 0)
            return Fail(directory, 0, null, "no audit segments (audit-*.jsonl) found; is this the data dir's audit folder?");
        if (keyProblem is not null) return Fail(directory, 0, null, keyProblem);
        for (var s = 0; s < segments.Count; s++)
        {
            var (index, path) = segments[s];
            var name = Path.GetFileName(path);
            if (index != s + 1)
                return Fail(AuditSegments.FileName(s + 1), 0, expected, $"segment {AuditSegments.FileName(s + 1)} is missing (found {name} next)");
            var (lines, torn) = AuditSegments.ReadLines(File.ReadAllBytes(path));
            for (var i = 0; i < lines.Count; i++)
            {
                AuditRecord r;
                try { r = AuditRecordJson.Parse(lines[i].Span); }
                catch (FormatException e) { return Fail(name, i + 1, expected, $"not a valid audit record ({e.Message}); record {expected} was cut or damaged"); }
                if (AuditRecordJson.ComputeHash(r) != r.Hash)
                    return Fail(name, i + 1, r.Seq, "its content does not match its hash: the record was edited");
                if (r.Seq > expected)
                    return Fail(name, i + 1, expected, r.Seq == expected + 1
                        ? $"record {expected} is missing (found record {r.Seq} in its place)"
                        : $"records {expected} to {r.Seq - 1} are missing (found record {r.Seq} in their place)");
                if (r.Seq < expected)
                    return Fail(name, i + 1, r.Seq, $"out of order: record {r.Seq} appears where record {expected} should be");
                if (r.Prev != prev)
                    return Fail(name, i + 1, r.Seq, $"its prev does not match the hash of record {r.Seq - 1}: a record before it was replaced");
                if (r.Entry.Checkpoint is { } c)
                {
                    if (!uncovered.TryGetValue(c.Seq, out var hash))
                        return Fail(name, i + 1, r.Seq, $"checkpoint names record {c.Seq}, which is not a record since the previous checkpoint");
                    if (hash != c.Hash)
                        return Fail(name, i + 1, r.Seq, $"checkpoint names record {c.Seq} with a hash that is not that record's hash");
                    if (!AuditCheckpointSigning.Verify(keys.Current, c))
                        return Fail(name, i + 1, r.Seq, $"checkpoint signature does not verify against the pinned audit key (token.json slot {c.Key})");
                    foreach (var seq in uncovered.Keys.Where(k => k <= c.Seq).ToList()) uncovered.Remove(seq);
                    keys.Covered(c.Seq);
                    (lastCheckpointed, lastCheckpointedHash) = (c.Seq, c.Hash);
                    checkpoints++;
                }
                else
                {
                    lastContent = r.Seq;
                    if (keys.Observe(r, seq => uncovered.TryGetValue(seq, out var h) ? h : seq == lastCheckpointed ? lastCheckpointedHash : null) is { } rotation)
                        return Fail(name, i + 1, r.Seq, rotation);
                }
                uncovered[r.Seq] = r.Hash;
                prev = r.Hash;
                expected++;
                records++;
            }
            if (torn > 0)
            {
                if (s < segments.Count - 1)
                    return Fail(name, lines.Count + 1, expected, $"{torn} bytes at the end of the segment are not a complete record");
                warnings.Add($"{name} ends with a torn record of {torn} bytes (a crash; never acknowledged); the server cuts it off and records that when it starts");
            }
        }
        if (keys.Rotations > 0)
            warnings.Add($"the log moved to a new primary token {keys.Rotations} time(s) (recovery restore), each signed by the enrolled recovery key; later checkpoints verify against the new audit key");
        if (checkpoints == 0)
            warnings.Add("no checkpoint yet: the chain is whole but not yet signed by the token");
        else if (lastCheckpointed < lastContent)
            warnings.Add($"records {lastCheckpointed + 1} to {lastContent} come after the last checkpoint: chained, not yet signed");
        return new AuditVerification(null, records, segments.Count, checkpoints, expected - 1, lastCheckpointed, warnings);
    }
}
