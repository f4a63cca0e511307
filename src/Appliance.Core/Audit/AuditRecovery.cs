namespace Appliance.Audit;

/// <summary>Where the chain stands on disk when the log opens, after cutting off a torn last line.</summary>
internal sealed record AuditHead(int SegmentIndex, long SegmentLength, long Seq, string Hash, string? TruncationNote);

internal static class AuditRecovery
{
    /// <summary>
    /// Finds the last record. A crash can leave the last line of the last segment unterminated: it was
    /// never acknowledged (a record counts only after its "\n" and the fsync), so it is cut off and the
    /// returned note says so. Any other damage stops the server: 'audit verify' must judge it.
    /// </summary>
    public static AuditHead Recover(string directory, IAuditDisk disk)
    {
        var segments = AuditSegments.List(directory);
        if (segments.Count == 0) return new AuditHead(1, 0, 0, AuditRecord.Genesis, null);

        var (lastIndex, lastPath) = segments[^1];
        var bytes = File.ReadAllBytes(lastPath);
        var (lines, torn) = AuditSegments.ReadLines(bytes);
        string? note = null;
        var length = (long)bytes.Length - torn;
        if (torn > 0)
        {
            using (var file = disk.OpenAppend(lastPath))
            {
                file.Truncate(length);
                file.Sync();
            }
            note = $"cut off a torn record of {torn} bytes at offset {length} of {Path.GetFileName(lastPath)}, left by a crash before it was acknowledged";
        }

        for (var i = segments.Count - 1; i >= 0; i--)
        {
            if (i < segments.Count - 1)
                lines = AuditSegments.ReadLines(File.ReadAllBytes(segments[i].Path)).Lines;
            if (lines.Count == 0) continue;
            AuditRecord last;
            try { last = AuditRecordJson.Parse(lines[^1].Span); }
            catch (FormatException e)
            {
                throw new InvalidDataException(
                    $"The last audit record in {segments[i].Path} is damaged ({e.Message}); run 'appliance audit verify' and keep the log as evidence before starting again.", e);
            }
            if (AuditRecordJson.ComputeHash(last) != last.Hash)
                throw new InvalidDataException(
                    $"The last audit record in {segments[i].Path} (seq {last.Seq}) does not match its hash; run 'appliance audit verify' and keep the log as evidence before starting again.");
            return new AuditHead(lastIndex, length, last.Seq, last.Hash, note);
        }
        return new AuditHead(lastIndex, length, 0, AuditRecord.Genesis, note);
    }
}
