using System.Text.Json;
using System.Text.Json.Serialization;
using Appliance.Common;
using Appliance.Policy;
using Microsoft.Extensions.Logging;

namespace Appliance.Audit;

/// <summary>
/// DATA_DIR/audit/withdrawal-totals.json: the 24 h withdrawal totals (<see cref="WithdrawalPolicy"/>),
/// kept across restarts without reading a day of audit log at start. Each write is atomic and durable
/// and names the audit record it was written after (its <em>anchor</em>, seq and hash). The file is
/// rewritten just before every checkpoint is signed, so at start its anchor lies in the tail the log
/// verifies anyway (from the last checkpoint's record to the head); the anchor's hash must match that
/// record, and every signed withdrawal after it must be in the file. Otherwise (missing, damaged, stale,
/// from another log) the totals are rebuilt from the audit records of the last 24 h, and the start
/// reports it: that scan is the only slow path, and it happens only when the file cannot be trusted.
/// </summary>
public sealed class WithdrawalTotalsFile : IWithdrawalLedger
{
    public const string FileName = "withdrawal-totals.json";

    /// <summary>Added to a rebuilt entry's record time: the token left a moment after its record was written.</summary>
    public static readonly TimeSpan RebuildMargin = TimeSpan.FromMinutes(1);

    private readonly string _path;
    private readonly Func<(long Seq, string Hash)> _head;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private IReadOnlyList<WithdrawalLedgerEntry> _entries;

    private WithdrawalTotalsFile(string directory, Func<(long Seq, string Hash)> head, IReadOnlyList<WithdrawalLedgerEntry> entries, ILogger logger)
    {
        _path = Path.Combine(directory, FileName);
        _head = head;
        _logger = logger;
        _entries = entries;
        Loaded = entries;
    }

    public IReadOnlyList<WithdrawalLedgerEntry> Loaded { get; }

    /// <summary>Why the totals were rebuilt from the log at this start; null when the file was trusted.</summary>
    public string? Rebuilt { get; private init; }

    public void Save(IReadOnlyList<WithdrawalLedgerEntry> entries)
    {
        lock (_lock)
        {
            try { Write(entries, _head()); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _logger.LogError("withdrawal totals not saved ({Error}); withdrawals are refused until it can be written", e.Message);
                throw;
            }
            _entries = entries;
        }
    }

    /// <summary>Rewrites the file anchored at <paramref name="anchor"/>, the record a checkpoint is about to sign.</summary>
    internal void Stamp((long Seq, string Hash) anchor)
    {
        lock (_lock) Write(_entries, anchor);
    }

    private void Write(IReadOnlyList<WithdrawalLedgerEntry> entries, (long Seq, string Hash) anchor) =>
        AtomicFile.WriteAllText(_path, JsonSerializer.Serialize(new Document(new Anchor(anchor.Seq, anchor.Hash),
            entries.Select(e => new Entry(e.Bot, e.Currency, e.Amount, e.Time, e.Signed)).ToList()), Json));

    /// <summary>
    /// Loads the totals, trusting the file only if its anchor is in the verified tail with the right
    /// hash and it holds every signed withdrawal recorded after it; otherwise rebuilds them from the
    /// log. Writes the result back anchored at the head. Throws IOException when it cannot.
    /// </summary>
    internal static WithdrawalTotalsFile Open(string directory, AuditHead head, TimeProvider time, Func<(long Seq, string Hash)> headNow, ILogger logger)
    {
        var path = Path.Combine(directory, FileName);
        var (entries, problem) = TryLoad(path, head);
        string? rebuilt = null;
        if (problem is not null)
        {
            entries = Rebuild(directory, time.GetUtcNow());
            rebuilt = $"the withdrawal totals file {problem}, so the 24 h totals were rebuilt from the audit log: " +
                      $"{entries.Count} signed withdrawal(s) in the last 24 h, each counted {RebuildMargin.TotalMinutes:0} min longer than recorded";
        }
        var file = new WithdrawalTotalsFile(directory, headNow, entries, logger) { Rebuilt = rebuilt };
        file.Save(entries);
        return file;
    }

    private static (IReadOnlyList<WithdrawalLedgerEntry> Entries, string? Problem) TryLoad(string path, AuditHead head)
    {
        if (!File.Exists(path))
            return head.Seq < head.FirstSeq ? ([], null) : ([], "was missing"); // an empty log has no withdrawals
        Document doc;
        try { doc = JsonSerializer.Deserialize<Document>(File.ReadAllText(path), Json) ?? throw new JsonException("empty"); }
        catch (JsonException e) { return ([], $"was damaged ({e.Message})"); }
        var entries = doc.Entries.Select(e => new WithdrawalLedgerEntry(e.Bot, e.Currency, e.Amount, e.Time, e.Signed)).ToList();
        // The anchor's hash: that of a tail record, or the prev of the tail's first record (or of an empty log).
        var anchorHash = head.Tail.FirstOrDefault(r => r.Seq == doc.Anchor.Seq)?.Hash
            ?? (head.Tail.Count > 0 && head.Tail[0].Seq == doc.Anchor.Seq + 1 ? head.Tail[0].Prev : null)
            ?? (head.Tail.Count == 0 && head.Seq == doc.Anchor.Seq ? head.Hash : null);
        if (anchorHash is null)
            return ([], doc.Anchor.Seq > head.Seq
                ? $"names audit record {doc.Anchor.Seq}, beyond the log's last record {head.Seq} (from another log?)"
                : $"names audit record {doc.Anchor.Seq}, older than the last checkpoint (a stale copy?)");
        if (anchorHash != doc.Anchor.Hash)
            return ([], $"names audit record {doc.Anchor.Seq} with a hash that is not that record's (from another log?)");
        // Every withdrawal signed after the anchor was reserved in the file before it was signed.
        var unmatched = entries.ToList();
        foreach (var r in head.Tail.Where(r => r.Seq > doc.Anchor.Seq))
        {
            if (Signed(r) is not { } w) continue;
            var match = unmatched.FindIndex(e => e.Bot == w.Bot && e.Currency == w.Currency && e.Amount == w.Amount);
            if (match < 0) return ([], $"lacks the withdrawal signed in audit record {r.Seq}");
            unmatched.RemoveAt(match);
        }
        return (entries, null);
    }

    /// <summary>Signed withdrawals of the last 24 h, from the newest segment back to the first that starts before the window.</summary>
    private static List<WithdrawalLedgerEntry> Rebuild(string directory, DateTimeOffset now)
    {
        var since = now - WithdrawalPolicy.Window - RebuildMargin;
        var found = new List<WithdrawalLedgerEntry>();
        foreach (var (_, segment) in AuditSegments.List(directory).Reverse())
        {
            var (lines, _) = AuditSegments.ReadLines(AuditSegments.ReadAllBytes(segment));
            DateTimeOffset? first = null;
            foreach (var line in lines)
            {
                AuditRecord r;
                try { r = AuditRecordJson.Parse(line.Span); }
                catch (FormatException) { continue; } // the tail was verified; an older damaged line cannot lower the totals
                first ??= r.Entry.Time;
                if (r.Entry.Time >= since && Signed(r) is { } w) found.Add(w with { Time = w.Time + RebuildMargin });
            }
            if (first is { } t && t < since) break;
        }
        return found;
    }

    /// <summary>A withdrawal whose token left the appliance: "signed" (returned to the bot) or "sent" (sent to Upbit by the appliance).</summary>
    private static WithdrawalLedgerEntry? Signed(AuditRecord r) =>
        r.Entry is { Kind: AuditKind.Decision, Decision: "signed" or "sent", Bot: { } bot }
            ? WithdrawalLedgerEntry.FromSignedRequest(bot, r.Entry.Method, r.Entry.Path, r.Entry.Params, r.Entry.Time)
            : null;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private sealed record Document(
        [property: JsonPropertyName("anchor")] Anchor Anchor,
        [property: JsonPropertyName("entries")] IReadOnlyList<Entry> Entries);

    private sealed record Anchor(
        [property: JsonPropertyName("seq")] long Seq,
        [property: JsonPropertyName("hash")] string Hash);

    private sealed record Entry(
        [property: JsonPropertyName("bot")] string Bot,
        [property: JsonPropertyName("currency")] string Currency,
        [property: JsonPropertyName("amount")] decimal Amount,
        [property: JsonPropertyName("time")] DateTimeOffset Time,
        [property: JsonPropertyName("signed")] bool Signed);
}
