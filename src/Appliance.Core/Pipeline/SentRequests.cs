using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Appliance.Common;
using Appliance.Upbit;

namespace Appliance.Pipeline;

/// <summary>
/// Never twice. The first request with a (bot, request_id) claims it; a repeat of the same request within
/// <see cref="AnswerWindow"/> gets the stored answer (or waits for it while the first is in flight) and nothing
/// is sent again; the same id on a different request is REQUEST_ID_REUSED.
/// <list type="bullet">
/// <item>POST and DELETE change something at Upbit: their ids are kept for at least <see cref="Window"/> (24 h),
/// compactly (<see cref="SentIds"/>), and a repeat after the answer window is ALREADY_SENT with Upbit's status,
/// or OUTCOME_UNKNOWN when the answer was lost. The durable key is the audit decision record: after a restart
/// <see cref="Restore"/> rebuilds them from it.</item>
/// <item>A GET changes nothing: its id is kept only for the answer window; after it, the same id is a new GET.</item>
/// </list>
/// Bounded: at most <see cref="CapacityPerBot"/> POST/DELETE ids per bot within the window (a bot past it is
/// refused rather than an id forgotten early), and stored answers only for the answer window and up to a byte
/// budget (past it the oldest go first: a POST/DELETE repeat is then ALREADY_SENT, a GET repeat a new GET).
/// </summary>
public sealed class SentRequests(TimeProvider time, TimeSpan? window = null, int capacityPerBot = 200_000,
    long answerBudgetBytes = 8 << 20, TimeSpan? answerWindow = null)
{
    private readonly Dictionary<Key128, Entry> _recent = new(); // in flight, or answered within the answer window
    private readonly Queue<(long Ticks, Key128 Key, Entry Entry)> _done = new(); // _recent's answered entries, oldest first
    private readonly SentIds _kept = new(window ?? TimeSpan.FromHours(24));
    private readonly Lock _lock = new();
    private long _answerBytes;

    public TimeSpan Window { get; } = window ?? TimeSpan.FromHours(24);

    public TimeSpan AnswerWindow { get; } = answerWindow ?? TimeSpan.FromMinutes(10);

    public int CapacityPerBot { get; } = capacityPerBot;

    /// <summary>
    /// The print that tells a retry from a different request under the same id. The credential is the one
    /// actually used, and an order identifier the appliance derived from (bot, request_id) is left out, so the
    /// request as the bot sent it and as the audit log recorded it print alike.
    /// </summary>
    public static RequestPrint Fingerprint(string bot, string requestId, string method, string path, string credential, IReadOnlyList<UpbitParam> parameters)
    {
        var derived = Orders.OrderIdentifiers.Derive(bot, requestId);
        var text = new StringBuilder().Append(method).Append('\n').Append(path).Append('\n').Append(credential);
        foreach (var (key, value) in parameters)
        {
            if (key is "identifier" or "new_identifier" && value == derived) continue;
            text.Append('\n').Append(key).Append('=').Append(value);
        }
        var hash = BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
        return new RequestPrint(hash, !string.Equals(method, "GET", StringComparison.Ordinal)); // anything but GET counts as a change
    }

    /// <summary>
    /// Claims (bot, id) for a new request, or returns the earlier one's result to wait for.
    /// Throws REQUEST_ID_REUSED when the id was used for a different request.
    /// </summary>
    public Claim Claim(string bot, string requestId, RequestPrint print)
    {
        var key = IdKey.Of(bot, requestId);
        lock (_lock)
        {
            var now = time.GetUtcNow().UtcTicks;
            Expire(now);
            if (_recent.TryGetValue(key, out var recent))
            {
                if (recent.Print != print.Hash) throw Refusals.RequestIdReused(requestId);
                return new Claim(null, recent.Result.Task);
            }
            if (_kept.TryGet(key, out var kept))
            {
                if (kept.Print != print.Hash) throw Refusals.RequestIdReused(requestId);
                return new Claim(null, Task.FromException<SendResult>(kept.Status > 0
                    ? Refusals.AlreadySent(requestId, kept.Status, kept.AuditId.ToString("N"))
                    : Refusals.OutcomeUnknown(_kept.UnknownIdentifier(key))));
            }
            if (print.Changes && _kept.CountFor(bot) >= CapacityPerBot)
                throw Refusals.RateLimited($"Bot '{bot}' sent more than {CapacityPerBot} POST/DELETE request_ids within {Window.TotalHours:0} h", TimeSpan.FromMinutes(1));
            var entry = new Entry(print.Hash, print.Changes);
            _recent[key] = entry;
            if (print.Changes) _kept.Add(bot, key, new SentIds.Kept(print.Hash, Guid.Empty, SentIds.InFlight), now);
            return new Claim(new Ticket(this, bot, key, entry), null);
        }
    }

    /// <summary>At start: an id the audit log shows as sent. Its answer is gone; only its status may be known.</summary>
    public void Restore(string bot, string requestId, RequestPrint print, DateTimeOffset sentAt, string auditId, int? status, string? identifier = null)
    {
        var key = IdKey.Of(bot, requestId);
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (_recent.ContainsKey(key) || _kept.TryGet(key, out _)) return;
            if (print.Changes)
            {
                if (sentAt < now - Window) return;
                _kept.Add(bot, key, new SentIds.Kept(print.Hash, Guid.TryParse(auditId, out var a) ? a : Guid.Empty, status ?? SentIds.Unknown), sentAt.UtcTicks);
                if (status is null) _kept.Conclude(key, SentIds.Unknown, Guid.Empty, identifier);
                return;
            }
            if (sentAt < now - AnswerWindow) return; // a GET past its answer window is forgotten
            var entry = new Entry(print.Hash, changes: false);
            entry.Result.TrySetException(status is { } s ? Refusals.AlreadySent(requestId, s, auditId) : Refusals.OutcomeUnknown(identifier));
            entry.Result.Task.Exception?.Handle(_ => true); // observed: nobody may ever await it
            _recent[key] = entry;
            _done.Enqueue((sentAt.UtcTicks, key, entry));
        }
    }

    /// <summary>The ids known now: POST/DELETE ids in the window, and GET ids in the answer window.</summary>
    public int Count
    {
        get { lock (_lock) return _kept.Count + _recent.Values.Count(e => !e.Changes); }
    }

    /// <summary>Answered bytes currently stored for repeats.</summary>
    public long AnswerBytes
    {
        get { lock (_lock) return _answerBytes; }
    }

    private void Expire(long now)
    {
        _kept.Expire(now);
        var before = now - AnswerWindow.Ticks;
        while (_done.TryPeek(out var head) && (head.Ticks < before || _answerBytes > answerBudgetBytes))
        {
            _done.Dequeue();
            _answerBytes -= head.Entry.AnswerBytes;
            if (_recent.TryGetValue(head.Key, out var current) && ReferenceEquals(current, head.Entry)) _recent.Remove(head.Key);
        }
        // After a burst the answer window holds far fewer: don't keep the burst's arrays (dictionaries never shrink).
        if (_recent.Capacity > 4 * _recent.Count + 4096)
        {
            _recent.TrimExcess();
            _done.TrimExcess();
        }
    }

    /// <summary>The request ended as sent: keep its outcome, and its answer for the answer window.</summary>
    private void Done(Key128 key, Entry entry, int status, SendResult? answer, string? identifier)
    {
        lock (_lock)
        {
            if (entry.Changes) _kept.Conclude(key, status, answer is not null && Guid.TryParse(answer.AuditId, out var a) ? a : Guid.Empty, identifier);
            entry.AnswerBytes = answer?.Body.Length ?? 0;
            _answerBytes += entry.AnswerBytes;
            var now = time.GetUtcNow().UtcTicks;
            _done.Enqueue((now, key, entry));
            Expire(now);
        }
    }

    private void Free(string bot, Key128 key, Entry entry)
    {
        lock (_lock)
        {
            if (!_recent.TryGetValue(key, out var current) || !ReferenceEquals(current, entry)) return;
            _recent.Remove(key);
            if (entry.Changes) _kept.Remove(bot, key);
        }
    }

    /// <summary>A claimed id while in flight and for its answer window; the long-lived part is in <see cref="SentIds"/>.</summary>
    internal sealed class Entry(ulong print, bool changes)
    {
        public ulong Print { get; } = print;
        public bool Changes { get; } = changes;
        public TaskCompletionSource<SendResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int AnswerBytes { get; set; }
    }

    /// <summary>The holder of a claimed id: it must end the claim one way.</summary>
    public sealed class Ticket
    {
        private readonly SentRequests _owner;
        private readonly string _bot;
        private readonly Key128 _key;
        private readonly Entry _entry;

        internal Ticket(SentRequests owner, string bot, Key128 key, Entry entry) => (_owner, _bot, _key, _entry) = (owner, bot, key, entry);

        /// <summary>Upbit answered: retries within the answer window get this answer, later ones ALREADY_SENT.</summary>
        public void Answered(SendResult answer)
        {
            _entry.Result.TrySetResult(answer with { Replayed = true });
            _owner.Done(_key, _entry, answer.HttpStatus, answer, null);
        }

        /// <summary>Sent, but the answer was lost: retries get OUTCOME_UNKNOWN.</summary>
        public void Unknown(SignRefusal outcomeUnknown)
        {
            _entry.Result.TrySetException(outcomeUnknown);
            _entry.Result.Task.Exception?.Handle(_ => true);
            _owner.Done(_key, _entry, SentIds.Unknown, null, outcomeUnknown.Identifier);
        }

        /// <summary>Never sent (refused or failed before it left): the id is free again; waiters get the same refusal.</summary>
        public void NotSent(Exception why)
        {
            _owner.Free(_bot, _key, _entry);
            _entry.Result.TrySetException(why);
            _entry.Result.Task.Exception?.Handle(_ => true);
        }
    }
}

/// <summary>Either this caller holds the id (<see cref="Ticket"/>), or an earlier request did (<see cref="Earlier"/>).</summary>
public sealed record Claim(SentRequests.Ticket? Ticket, Task<SendResult>? Earlier);
