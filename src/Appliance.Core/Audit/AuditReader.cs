using System.Globalization;
using System.Text;

namespace Appliance.Audit;

/// <summary>Reads records for display (tail); judging them is <see cref="AuditVerifier"/>'s job.</summary>
public static class AuditReader
{
    /// <summary>Every complete record in chain order; a line that does not parse is skipped.</summary>
    public static IEnumerable<AuditRecord> ReadAll(string directory)
    {
        foreach (var (_, path) in AuditSegments.List(directory))
            foreach (var r in ReadSegment(path, 0).Records)
                yield return r;
    }

    /// <summary>
    /// The records written at or after <paramref name="since"/>, in chain order: only segments written to
    /// since then are read (a segment's last write is its newest record), so start-up reads a day, not the card.
    /// </summary>
    public static IEnumerable<AuditRecord> ReadSince(string directory, DateTimeOffset since)
    {
        foreach (var (_, path) in AuditSegments.List(directory))
        {
            if (File.GetLastWriteTimeUtc(path) < since.UtcDateTime) continue;
            foreach (var r in ReadSegment(path, 0).Records)
                if (r.Entry.Time >= since) yield return r;
        }
    }

    /// <summary>The complete records of a segment from byte <paramref name="offset"/>, and the offset after the last one.</summary>
    public static (List<AuditRecord> Records, long NextOffset) ReadSegment(string path, long offset)
    {
        byte[] bytes;
        if (AuditSegments.IsCompressed(path))
        {
            var all = AuditSegments.ReadAllBytes(path);
            bytes = all.AsSpan((int)Math.Min(offset, all.Length)).ToArray();
        }
        else
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.Seek(offset, SeekOrigin.Begin);
            bytes = new byte[Math.Max(0, stream.Length - offset)];
            stream.ReadExactly(bytes);
        }
        var (lines, torn) = AuditSegments.ReadLines(bytes);
        var records = new List<AuditRecord>();
        foreach (var line in lines)
        {
            try { records.Add(AuditRecordJson.Parse(line.Span)); }
            catch (FormatException) { }
        }
        return (records, offset + bytes.Length - torn);
    }

    /// <summary>
    /// One line for a person: time, seq, kind, then what matters for that kind. Every field is escaped
    /// (<see cref="AuditText"/>): a bot's newline or escape sequence cannot forge a line or drive the terminal.
    /// </summary>
    public static string Format(AuditRecord r) => AuditText.Escape(FormatRaw(r));

    private static string FormatRaw(AuditRecord r)
    {
        var e = r.Entry;
        var sb = new StringBuilder();
        sb.Append(e.Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture))
          .Append(" #").Append(r.Seq).Append(' ').Append(e.Kind.ToWire());
        switch (e.Kind)
        {
            case AuditKind.Decision:
                sb.Append(' ').Append(e.Decision);
                if (e.Reason is not null) sb.Append(' ').Append(e.Reason);
                sb.Append(" bot=").Append(e.Bot).Append(" peer=").Append(e.Peer).Append(" credential=").Append(e.Credential)
                  .Append(' ').Append(e.Method).Append(' ').Append(e.Path);
                if (e.Params is { Count: > 0 } ps) sb.Append(" ?").Append(string.Join('&', ps.Select(p => $"{p.Key}={p.Value}")));
                if (e.RequestId is not null) sb.Append(" request_id=").Append(e.RequestId);
                if (e.ApprovalMode is not null and not "none") sb.Append(" approval=").Append(e.ApprovalMode).Append(e.ApprovalSteps is 2 ? " (button+touch)" : "").Append(" waited=").Append(e.ApprovalWaitedMs).Append("ms");
                if (e.TokenSha256 is not null) sb.Append(" token_sha256=").Append(e.TokenSha256.AsSpan(0, 16)).Append('…');
                break;
            case AuditKind.Outcome:
                sb.Append(" of ").Append(e.AuditId).Append(" bot=").Append(e.Bot);
                if (e.HttpStatus is { } status) sb.Append(" upbit=").Append(status);
                if (e.UpbitError is not null) sb.Append(" error=").Append(e.UpbitError);
                if (e.Uuid is not null) sb.Append(" uuid=").Append(e.Uuid);
                if (e.Identifier is not null) sb.Append(" identifier=").Append(e.Identifier);
                if (e.Reason is not null) sb.Append(" failed=").Append(e.Reason);
                break;
            case AuditKind.Checkpoint when e.Checkpoint is { } c:
                sb.Append(" signs record ").Append(c.Seq).Append(" hash=").Append(c.Hash.AsSpan(0, 16)).Append("… key=").Append(c.Key);
                break;
            default:
                if (e.Detail is not null) sb.Append(' ').Append(e.Detail);
                break;
        }
        return sb.ToString();
    }
}
