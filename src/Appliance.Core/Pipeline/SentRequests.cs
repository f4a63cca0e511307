using System.Security.Cryptography;
using System.Text;
using Appliance.Common;
using Appliance.Upbit;

namespace Appliance.Pipeline;

/// <summary>
/// Never twice: the requests each bot sent under a request_id, for at least <see cref="Window"/>.
/// The first request with an id claims it; a repeat of the same request gets the stored answer (or
/// waits for it while the first is in flight) and nothing is sent again; the same id on a different
/// request is REQUEST_ID_REUSED. The durable key is the audit decision record, which carries the
/// request_id: after a restart <see cref="Restore"/> rebuilds the ids from it, and a request that was
/// sent but whose answer was lost answers OUTCOME_UNKNOWN, never a second send.
/// Bounded: at most <see cref="CapacityPerBot"/> ids per bot within the window (a bot past it is
/// refused rather than an id forgotten early), and stored answers up to a byte budget.
/// </summary>
public sealed class SentRequests(TimeProvider time, TimeSpan? window = null, int capacityPerBot = 200_000, long answerBudgetBytes = 32 << 20)
{
    private readonly Dictionary<(string Bot, string Id), Entry> _entries = new();
    private readonly Dictionary<string, int> _perBot = new(StringComparer.Ordinal);
    private readonly Queue<(DateTimeOffset At, string Bot, string Id)> _order = new();
    private readonly Queue<(string Bot, string Id)> _answers = new();
    private readonly Lock _lock = new();
    private long _answerBytes;

    public TimeSpan Window { get; } = window ?? TimeSpan.FromHours(24);

    public int CapacityPerBot { get; } = capacityPerBot;

    /// <summary>
    /// The fingerprint that tells a retry from a different request under the same id. The credential is the
    /// one actually used, and an order identifier the appliance derived from (bot, request_id) is left out, so
    /// the request as the bot sent it and as the audit log recorded it fingerprint alike.
    /// </summary>
    public static string Fingerprint(string bot, string requestId, string method, string path, string credential, IReadOnlyList<UpbitParam> parameters)
    {
        var derived = Orders.OrderIdentifiers.Derive(bot, requestId);
        var text = new StringBuilder().Append(method).Append('\n').Append(path).Append('\n').Append(credential);
        foreach (var (key, value) in parameters)
        {
            if (key is "identifier" or "new_identifier" && value == derived) continue;
            text.Append('\n').Append(key).Append('=').Append(value);
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..32];
    }

    /// <summary>
    /// Claims (bot, id) for a new request, or returns the earlier one's result to wait for.
    /// Throws REQUEST_ID_REUSED when the id was used for a different request.
    /// </summary>
    public Claim Claim(string bot, string requestId, string fingerprint)
    {
        lock (_lock)
        {
            Expire(time.GetUtcNow());
            if (_entries.TryGetValue((bot, requestId), out var existing))
            {
                if (existing.Fingerprint != fingerprint) throw Refusals.RequestIdReused(requestId);
                return new Claim(null, existing.Result.Task);
            }
            if (_perBot.GetValueOrDefault(bot) >= CapacityPerBot)
                throw Refusals.RateLimited($"Bot '{bot}' sent more than {CapacityPerBot} request_ids within {Window.TotalHours:0} h", TimeSpan.FromMinutes(1));
            var entry = new Entry(fingerprint, time.GetUtcNow());
            Add(bot, requestId, entry);
            return new Claim(new Ticket(this, bot, requestId, entry), null);
        }
    }

    /// <summary>At start: an id the audit log shows as sent. Its answer is gone; only its status may be known.</summary>
    public void Restore(string bot, string requestId, string fingerprint, DateTimeOffset sentAt, string auditId, int? status, string? identifier = null)
    {
        lock (_lock)
        {
            if (sentAt < time.GetUtcNow() - Window || _entries.ContainsKey((bot, requestId))) return;
            var entry = new Entry(fingerprint, sentAt);
            entry.Result.TrySetException(status is { } s ? Refusals.AlreadySent(requestId, s, auditId) : Refusals.OutcomeUnknown(identifier));
            entry.Result.Task.Exception?.Handle(_ => true); // observed: nobody may ever await it
            Add(bot, requestId, entry);
        }
    }

    public int Count
    {
        get { lock (_lock) return _entries.Count; }
    }

    private void Add(string bot, string requestId, Entry entry)
    {
        _entries[(bot, requestId)] = entry;
        _perBot[bot] = _perBot.GetValueOrDefault(bot) + 1;
        _order.Enqueue((entry.At, bot, requestId));
    }

    private void Expire(DateTimeOffset now)
    {
        var before = now - Window;
        while (_order.TryPeek(out var head) && head.At < before)
        {
            _order.Dequeue();
            if (_entries.TryGetValue((head.Bot, head.Id), out var entry) && entry.At == head.At && entry.Result.Task.IsCompleted)
                Forget(head.Bot, head.Id, entry);
        }
    }

    private void Forget(string bot, string requestId, Entry entry)
    {
        _entries.Remove((bot, requestId));
        if ((_perBot[bot] -= 1) == 0) _perBot.Remove(bot);
        if (entry.Answer is not null) _answerBytes -= entry.Answer.Body.Length;
    }

    /// <summary>Keeps the answer for retries, dropping the oldest stored bodies past the budget (their status stays known).</summary>
    private void Store(string bot, string requestId, Entry entry, SendResult answer)
    {
        entry.Answer = answer;
        _answerBytes += answer.Body.Length;
        _answers.Enqueue((bot, requestId));
        while (_answerBytes > answerBudgetBytes && _answers.TryDequeue(out var oldest))
        {
            if (!_entries.TryGetValue(oldest, out var old) || old.Answer is null) continue;
            _answerBytes -= old.Answer.Body.Length;
            old.Result = Completed(Refusals.AlreadySent(oldest.Id, old.Answer.HttpStatus, old.Answer.AuditId));
            old.Answer = null;
        }
    }

    private static TaskCompletionSource<SendResult> Completed(Exception e)
    {
        var done = new TaskCompletionSource<SendResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        done.SetException(e);
        done.Task.Exception?.Handle(_ => true);
        return done;
    }

    internal sealed class Entry(string fingerprint, DateTimeOffset at)
    {
        public string Fingerprint { get; } = fingerprint;
        public DateTimeOffset At { get; } = at;
        public TaskCompletionSource<SendResult> Result { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public SendResult? Answer { get; set; }
    }

    /// <summary>The holder of a claimed id: it must end the claim one way.</summary>
    public sealed class Ticket
    {
        private readonly SentRequests _owner;
        private readonly string _bot;
        private readonly string _id;
        private readonly Entry _entry;

        internal Ticket(SentRequests owner, string bot, string id, Entry entry) => (_owner, _bot, _id, _entry) = (owner, bot, id, entry);

        /// <summary>Upbit answered: retries get this answer.</summary>
        public void Answered(SendResult answer)
        {
            _entry.Result.TrySetResult(answer with { Replayed = true });
            lock (_owner._lock) _owner.Store(_bot, _id, _entry, answer);
        }

        /// <summary>Sent, but the answer was lost: retries get OUTCOME_UNKNOWN.</summary>
        public void Unknown(SignRefusal outcomeUnknown)
        {
            _entry.Result.TrySetException(outcomeUnknown);
            _entry.Result.Task.Exception?.Handle(_ => true);
        }

        /// <summary>Never sent (refused or failed before it left): the id is free again; waiters get the same refusal.</summary>
        public void NotSent(Exception why)
        {
            lock (_owner._lock)
            {
                if (_owner._entries.TryGetValue((_bot, _id), out var current) && ReferenceEquals(current, _entry))
                    _owner.Forget(_bot, _id, _entry);
            }
            _entry.Result.TrySetException(why);
            _entry.Result.Task.Exception?.Handle(_ => true);
        }
    }
}

/// <summary>Either this caller holds the id (<see cref="Ticket"/>), or an earlier request did (<see cref="Earlier"/>).</summary>
public sealed record Claim(SentRequests.Ticket? Ticket, Task<SendResult>? Earlier);
