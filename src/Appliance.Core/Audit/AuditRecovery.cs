namespace Appliance.Audit;

/// <summary>
/// Where the chain stands on disk when the log opens, after cutting off a torn last line: the segment
/// to continue, the head, and the tail from the last checkpoint's record to the head, verified.
/// </summary>
internal sealed record AuditHead(int SegmentIndex, long SegmentLength, long Seq, string Hash, string? TruncationNote)
{
    /// <summary>The records from the one the last checkpoint signs (or from the start of the kept log) to the head, in order.</summary>
    public IReadOnlyList<AuditRecord> Tail { get; init; } = [];

    /// <summary>Records other than checkpoints that no checkpoint covers yet: they count toward the next one.</summary>
    public long Uncovered { get; init; }

    /// <summary>The seq the last checkpoint signs; 0 when there is none.</summary>
    public long LastCheckpointedSeq { get; init; }

    /// <summary>The seq of the first record kept (1, or the anchor's after pruning).</summary>
    public long FirstSeq { get; init; } = 1;
}

internal static class AuditRecovery
{
    /// <summary>
    /// Finds the head and verifies the chain from the last checkpoint to it (hashes, sequence, prev links,
    /// checkpoint targets), so damage anywhere after the last signed point stops the start, not only a
    /// damaged last record. A crash can leave the last line of the segment being written unterminated:
    /// it was never acknowledged (a record counts only after its "\n" and the fsync), so it is cut off and
    /// the returned note says so. Any other damage throws InvalidDataException: 'audit verify' must judge it.
    /// </summary>
    public static AuditHead Recover(string directory, IAuditDisk disk)
    {
        var anchor = AuditAnchor.Load(directory);
        var segments = AuditSegments.List(directory)
            .Where(s => anchor is null || s.Index >= anchor.FirstSegment) // older ones: a prune was interrupted
            .ToList();
        var startSeq = anchor?.FirstSeq ?? 1;
        var startPrev = anchor?.Prev ?? AuditRecord.Genesis;
        // The writer continues the last segment that has records; a later empty one was prepared in advance.
        var current = segments.FindLastIndex(s => new FileInfo(s.Path).Length > 0);
        if (current < 0)
            return new AuditHead(segments.Count > 0 ? segments[0].Index : anchor?.FirstSegment ?? 1, 0, startSeq - 1, startPrev, null) { FirstSeq = startSeq };

        var (currentIndex, currentPath) = segments[current];
        var bytes = AuditSegments.ReadAllBytes(currentPath);
        var (lines, torn) = AuditSegments.ReadLines(bytes);
        string? note = null;
        var length = (long)bytes.Length - torn;
        if (torn > 0 && !AuditSegments.IsCompressed(currentPath))
        {
            using (var file = disk.OpenAppend(currentPath))
            {
                file.Truncate(length);
                file.Sync();
            }
            note = $"cut off a torn record of {torn} bytes at offset {length} of {Path.GetFileName(currentPath)}, left by a crash before it was acknowledged";
        }
        else if (torn > 0) throw Damaged(currentPath, lines.Count + 1, $"{torn} bytes at the end of a compressed segment are not a complete record");

        // Walk back to the record the last checkpoint signs, looking at each line only as much as it takes
        // (is it a checkpoint? which seq?): the lines to verify are then parsed and hashed on every core.
        var walked = new List<(ReadOnlyMemory<byte> Bytes, string File, int Number)>();
        long target = -1;
        for (var s = current; s >= 0 && (target < 0 || walked.Count == 0 || SeqOf(walked[^1].Bytes.Span) > target); s--)
        {
            var path = segments[s].Path;
            if (s != current)
            {
                var (earlier, earlierTorn) = AuditSegments.ReadLines(AuditSegments.ReadAllBytes(path));
                if (earlierTorn > 0) throw Damaged(path, earlier.Count + 1, $"{earlierTorn} bytes at the end of a closed segment are not a complete record");
                lines = earlier;
            }
            for (var i = lines.Count - 1; i >= 0; i--)
            {
                var line = lines[i];
                walked.Add((line, path, i + 1));
                if (target < 0 && line.Span.IndexOf(CheckpointKind) >= 0)
                {
                    try { target = AuditRecordJson.Parse(line.Span).Entry.Checkpoint?.Seq ?? -1; }
                    catch (FormatException e) { throw Damaged(path, i + 1, $"not a valid audit record ({e.Message})"); }
                }
                if (target >= 0 && SeqOf(line.Span) <= target) break;
            }
        }
        walked.Reverse();
        if (walked.Count == 0)
            return new AuditHead(currentIndex, length, startSeq - 1, startPrev, note) { FirstSeq = startSeq };

        var parsed = new (AuditRecord Record, string Hash)?[walked.Count];
        var errors = new string?[walked.Count];
        Parallel.For(0, walked.Count, i =>
        {
            try { parsed[i] = AuditRecordJson.ParseAndHash(walked[i].Bytes.Span); }
            catch (FormatException e) { errors[i] = e.Message; }
        });
        var tail = new List<AuditRecord>(walked.Count);
        AuditChainChecker? checker = null;
        for (var i = 0; i < walked.Count; i++)
        {
            var (_, file, line) = walked[i];
            if (parsed[i] is not { } p) throw Damaged(file, line, $"not a valid audit record ({errors[i]})");
            // From a checkpoint's record the chain is trusted as signed; without one, from the start of the kept log.
            checker ??= target < 0 || p.Record.Seq > target
                ? new AuditChainChecker(startSeq, startPrev, null)
                : new AuditChainChecker(p.Record.Seq, p.Record.Prev, null);
            if (checker.Check(p.Record, p.Hash) is { } problem) throw Damaged(file, line, problem.Message, problem.Seq);
            tail.Add(p.Record);
        }

        var head = tail[^1];
        var index = AuditSegments.IsCompressed(currentPath) ? currentIndex + 1 : currentIndex;
        return new AuditHead(index, AuditSegments.IsCompressed(currentPath) ? 0 : length, head.Seq, head.Hash, note)
        {
            Tail = tail,
            Uncovered = checker!.UncoveredContent,
            LastCheckpointedSeq = checker.LastCheckpointed,
            FirstSeq = startSeq,
        };
    }

    /// <summary>How a checkpoint record's line looks (the kind follows seq and time in canonical form); a bot cannot put it in a value, where quotes are escaped.</summary>
    private static ReadOnlySpan<byte> CheckpointKind => ",\"kind\":\"checkpoint\","u8;

    /// <summary>The seq of a line in canonical form ({"seq":N,…}) without parsing it; long.MaxValue when it is not in that form (it is then parsed and judged).</summary>
    private static long SeqOf(ReadOnlySpan<byte> line)
    {
        var prefix = "{\"seq\":"u8;
        if (!line.StartsWith(prefix)) return long.MaxValue;
        long seq = 0;
        var digits = 0;
        for (var i = prefix.Length; i < line.Length && line[i] is >= (byte)'0' and <= (byte)'9' && digits < 18; i++, digits++)
            seq = seq * 10 + (line[i] - '0');
        return digits == 0 ? long.MaxValue : seq;
    }
    private static InvalidDataException Damaged(string path, int line, string problem, long? seq = null) =>
        new($"The audit log is damaged at {Path.GetFileName(path)} line {line}{(seq is { } s ? $" (record {s})" : "")}: {problem}. " +
            "Run 'appliance audit verify' and keep the log as evidence before starting again.");
}
