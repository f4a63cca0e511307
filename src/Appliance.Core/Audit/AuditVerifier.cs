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

    /// <summary>The first record kept: 1, or the anchor's first record after retention pruned older segments.</summary>
    public long FirstSeq { get; init; } = 1;

    /// <summary>The signed anchor the kept log starts from; null when nothing was pruned.</summary>
    public AuditAnchor? Anchor { get; init; }
}

/// <summary>
/// Checks the whole kept chain: every line is a canonical record whose hash matches its content, the
/// sequence numbers run without gap from record 1 (or from the signed anchor retention left, see
/// <see cref="AuditAnchor"/>), each prev is the hash of the record before (across segments, compressed
/// or not), and every checkpoint names a record of this chain by its true hash and carries a valid
/// signature by the given audit key. Stops at the first bad record and names it.
/// </summary>
public static class AuditVerifier
{
    public static AuditVerification Verify(string directory, ReadOnlySpan<byte> auditPublicKey)
    {
        var key = auditPublicKey.ToArray();
        var keys = AuditKeyTracker.Start(directory, key, out var keyProblem); // follows moves to a new primary (recovery restore)
        var warnings = new List<string>();
        var segments = AuditSegments.List(directory);
        AuditAnchor? anchor;
        try { anchor = AuditAnchor.Load(directory); }
        catch (InvalidDataException e) { return Failed(AuditAnchor.FileName, null, e.Message); }
        if (anchor is not null && !anchor.Verify(key))
            return Failed(AuditAnchor.FileName, anchor.FirstSeq - 1,
                "the anchor's signature does not verify against the pinned audit key: it was not written by this appliance");

        var behind = segments.Count(s => anchor is not null && s.Index < anchor.FirstSegment);
        if (behind > 0)
            warnings.Add($"{behind} segment(s) before the anchor (record {anchor!.FirstSeq}) are still present: a prune was interrupted; the server deletes them");
        var kept = segments.Skip(behind).ToList();
        var firstIndex = anchor?.FirstSegment ?? 1;
        var checker = new AuditChainChecker(anchor?.FirstSeq ?? 1, anchor?.Prev ?? AuditRecord.Genesis, key) { Keys = keys };

        AuditVerification Fail(string file, int line, long? seq, string message) =>
            new(new AuditProblem(file, line, seq, message), checker.Records, kept.Count, checker.Checkpoints, checker.Expected - 1,
                checker.LastCheckpointed, warnings) { FirstSeq = anchor?.FirstSeq ?? 1, Anchor = anchor };

        AuditVerification Failed(string file, long? seq, string message) =>
            new(new AuditProblem(file, 0, seq, message), 0, segments.Count, 0, 0, 0, warnings);

        if (kept.Count == 0)
            return Fail(directory, 0, null, "no audit segments (audit-*.jsonl) found; is this the data dir's audit folder?");
        if (keyProblem is not null) return Fail(directory, 0, null, keyProblem);
        // A torn record is allowed only at the end of the last segment that has any record (the next one
        // may be the empty segment the writer prepared in advance).
        var lastWithBytes = kept.FindLastIndex(s => new FileInfo(s.Path).Length > 0);
        for (var s = 0; s < kept.Count; s++)
        {
            var (index, path) = kept[s];
            var name = Path.GetFileName(path);
            if (index != firstIndex + s)
            {
                var missing = AuditSegments.FileName(firstIndex + s);
                return Fail(missing, 0, checker.Expected, s == 0 && anchor is not null
                    ? $"segment {missing}, where anchor.json says the kept log starts, is missing (found {name} first)"
                    : $"segment {missing} is missing (found {name} next)");
            }
            byte[] bytes;
            try { bytes = AuditSegments.ReadAllBytes(path); }
            catch (InvalidDataException e) { return Fail(name, 0, checker.Expected, $"the compressed segment cannot be read ({e.Message})"); }
            var (lines, torn) = AuditSegments.ReadLines(bytes);
            for (var i = 0; i < lines.Count; i++)
            {
                AuditRecord r;
                string computed;
                try { (r, computed) = AuditRecordJson.ParseAndHash(lines[i].Span); }
                catch (FormatException e) { return Fail(name, i + 1, checker.Expected, $"not a valid audit record ({e.Message}); record {checker.Expected} was cut or damaged"); }
                if (checker.Check(r, computed) is { } problem) return Fail(name, i + 1, problem.Seq, problem.Message);
            }
            if (torn > 0)
            {
                if (s != lastWithBytes || AuditSegments.IsCompressed(path))
                    return Fail(name, lines.Count + 1, checker.Expected, $"{torn} bytes at the end of the segment are not a complete record");
                warnings.Add($"{name} ends with a torn record of {torn} bytes (a crash; never acknowledged); the server cuts it off and records that when it starts");
            }
        }
        if (keys.Rotations > 0)
            warnings.Add($"the log moved to a new primary token {keys.Rotations} time(s) (recovery restore), each signed by the enrolled recovery key; later checkpoints verify against the new audit key");
        if (checker.Checkpoints == 0)
            warnings.Add("no checkpoint yet: the chain is whole but not yet signed by the token");
        else if (checker.LastCheckpointed < checker.LastContent)
            warnings.Add($"records {checker.LastCheckpointed + 1} to {checker.LastContent} come after the last checkpoint: chained, not yet signed");
        return new AuditVerification(null, checker.Records, kept.Count, checker.Checkpoints, checker.Expected - 1, checker.LastCheckpointed, warnings)
        {
            FirstSeq = anchor?.FirstSeq ?? 1,
            Anchor = anchor,
        };
    }
}
