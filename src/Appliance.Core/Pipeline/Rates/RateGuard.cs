using System.Globalization;
using Appliance.Common;
using Appliance.Upbit;

namespace Appliance.Pipeline;

/// <summary>
/// Keeps every bot within its own rate, and every Upbit pocket within Upbit's per-group limits, shared
/// fairly among the bots that use the pocket, so a view-only bot polling as fast as it can cannot starve
/// a trading bot's cancels on the same pocket. Upbit's answers (Remaining-Req, 429, 418) tighten it further.
/// <para>
/// Why not System.Threading.RateLimiting: its limiters cannot run on an injected TimeProvider (they read
/// Environment.TickCount, even in TryReplenish with AutoReplenishment off; dotnet/runtime#106447 is open),
/// so FakeTimeProvider cannot drive them, and PartitionedRateLimiter's idle cleanup runs on a real timer.
/// A chained limiter also keeps the first limiter's tokens when a later one refuses (token-bucket leases
/// give nothing back), while a refused request here must consume nothing. So the buckets and windows are
/// hand-rolled on the TimeProvider; the library has nothing left to contribute.
/// </para>
/// <para>
/// Fair split: within each group's period, each of the k bots that used the pocket within
/// <see cref="ShareMemory"/> is guaranteed max(1, limit / k) requests. A bot may go beyond its share only
/// while enough of the window stays free for every other such bot to still reach its own share, so a bot
/// alone gets the whole limit, and a newcomer gets its share within one period.
/// </para>
/// Memory is bounded by activity: a bot's bucket is forgotten once it has refilled, a pocket once it
/// has been quiet for <see cref="ShareMemory"/> and no block or ban is in force.
/// </summary>
public sealed class RateGuard
{
    /// <summary>A 418 that states no wait blocks the pocket this long, doubling per further 418 …</summary>
    public static readonly TimeSpan FirstBan = TimeSpan.FromSeconds(30);

    /// <summary>… up to this.</summary>
    public static readonly TimeSpan LongestBan = TimeSpan.FromMinutes(30);

    /// <summary>A 418 this long after the previous one starts the escalation again.</summary>
    public static readonly TimeSpan BanMemory = TimeSpan.FromHours(1);

    /// <summary>The most a stated Retry-After is believed (a wait beyond it is taken as this).</summary>
    public static readonly TimeSpan LongestStatedWait = TimeSpan.FromHours(24);

    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan UpbitSecond = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time;
    private readonly UpbitRates _rates;
    private readonly Dictionary<string, BotBucket> _bots = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PocketBudget> _pockets = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _nextSweep;

    public RateGuard(TimeProvider time, UpbitRates rates)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(rates);
        foreach (var group in Enum.GetValues<RateGroup>())
        {
            var (capacity, period) = rates.For(group);
            if (capacity < 1 || period <= TimeSpan.Zero)
                throw new ArgumentException($"Upbit group '{RateGroups.ToWire(group)}' needs at least 1 request per a positive period; check appliance.json's 'rates'.", nameof(rates));
        }
        _time = time;
        _rates = rates;
    }

    /// <summary>How long a bot still counts in a pocket's fair split after its last request there.</summary>
    public TimeSpan ShareMemory
    {
        get;
        init => field = value > TimeSpan.Zero
            ? value
            : throw new ArgumentOutOfRangeException(nameof(ShareMemory), value, "The share memory must be positive, e.g. 60 s.");
    } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Admits one request of <paramref name="bot"/> to <paramref name="group"/> of <paramref name="pocket"/>, or
    /// throws <see cref="Refusals.RateLimited"/> with the wait and consumes nothing. The bot's own bucket is
    /// checked first, then the pocket: a 418 block, a 429 or Remaining-Req sec=0, the group's limit, the fair split.
    /// </summary>
    public void Admit(string bot, BotRate botRate, string pocket, RateGroup group)
    {
        ArgumentException.ThrowIfNullOrEmpty(bot);
        ArgumentNullException.ThrowIfNull(botRate);
        Pockets.Validate(pocket, nameof(pocket));
        RequireDefined(group);
        var wire = RateGroups.ToWire(group);
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            SweepIfDue(now);

            var bucket = BucketWithToken(bot, botRate, now);

            var budget = Pocket(pocket);
            if (budget.BannedUntil > now)
                throw Refusals.RateLimited(
                    $"Upbit has blocked pocket '{pocket}' (HTTP 418, too many requests); nothing is sent through it until the block ends",
                    Until(budget.BannedUntil, now));

            // Wanting to send makes the bot count in the fair split, even if this request is refused below:
            // that is how a bot that finds the group full claims its share of the next period.
            budget.Participants[bot] = now;

            var window = budget.Group(group);
            var (capacity, period) = _rates.For(group);
            var periodTicks = Ticks(period);
            window.Expire(now, periodTicks);
            if (window.BlockedUntil > now)
                throw Refusals.RateLimited(
                    $"Upbit answered 429 (too many requests) for pocket '{pocket}', group '{wire}'", Until(window.BlockedUntil, now));
            if (window.UpbitLeftUntil > now && window.UpbitLeft <= 0)
                throw Refusals.RateLimited(
                    $"Upbit says pocket '{pocket}' has no '{wire}' requests left this second (Remaining-Req)", Until(window.UpbitLeftUntil, now));
            if (window.Count >= capacity)
                throw Refusals.RateLimited(
                    $"Pocket '{pocket}' is at Upbit's limit for group '{wire}' ({capacity} per {Number(period.TotalSeconds)} s)",
                    Until(window.OldestStamp + periodTicks, now));
            if (!WithinFairShare(bot, budget, window, capacity, out var share))
                throw Refusals.RateLimited(
                    $"Bot '{bot}' has used its fair share of pocket '{pocket}''s '{wire}' limit ({share} of {capacity} per {Number(period.TotalSeconds)} s, " +
                    $"shared by {budget.Participants.Count} bots)",
                    Until(window.OldestStampOf(bot) + periodTicks, now));

            bucket.Take();
            window.Record(now, bot);
        }
    }

    /// <summary>
    /// Admits one action of <paramref name="bot"/> that reaches no REST group (a WebSocket subscription, which the
    /// appliance audits and may send upstream), from the bot's own bucket only; throws RATE_LIMITED with the wait.
    /// </summary>
    public void AdmitBot(string bot, BotRate botRate)
    {
        ArgumentException.ThrowIfNullOrEmpty(bot);
        ArgumentNullException.ThrowIfNull(botRate);
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            SweepIfDue(now);
            BucketWithToken(bot, botRate, now).Take();
        }
    }

    /// <summary>The bot's own bucket, refilled; throws RATE_LIMITED (taking nothing) when it holds no token (under the lock).</summary>
    private BotBucket BucketWithToken(string bot, BotRate botRate, long now)
    {
        if (!_bots.TryGetValue(bot, out var bucket))
            _bots[bot] = bucket = new BotBucket(botRate, now);
        bucket.Refill(now, _time, botRate);
        if (bucket.Tokens < 1)
            throw Refusals.RateLimited(
                $"Bot '{bot}' is over its own rate ({Number(botRate.PerSecond)}/s, burst {botRate.Burst}; 'appliance bots add --rate' sets it)",
                bucket.WaitForOne());
        return bucket;
    }

    /// <summary>
    /// Feeds back what Upbit answered for a request sent through <paramref name="pocket"/> in <paramref name="group"/>:
    /// its Remaining-Req header (the header's own group wins; a malformed header is ignored), a 429 (nothing more
    /// in that group until the next second, or the stated Retry-After), and a 418 (the whole pocket is blocked for
    /// the stated Retry-After, else for an escalating wait). Never throws for what Upbit sent.
    /// </summary>
    public void Observe(string pocket, RateGroup group, int httpStatus, string? remainingReq, TimeSpan? retryAfter)
    {
        Pockets.Validate(pocket, nameof(pocket));
        RequireDefined(group);
        var stated = retryAfter is { } r && r > TimeSpan.Zero ? (TimeSpan?)Min(r, LongestStatedWait) : null;
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            var budget = Pocket(pocket);
            if (RemainingReq.TryParse(remainingReq, out var remaining) && (remaining.Group is not null || remaining.GroupName.Length == 0))
            {
                var window = budget.Group(remaining.Group ?? group);
                window.UpbitLeft = remaining.Second;
                window.UpbitLeftUntil = now + Ticks(UpbitSecond);
            }
            if (httpStatus == 429)
            {
                var window = budget.Group(group);
                window.BlockedUntil = Math.Max(window.BlockedUntil, now + Ticks(Max(UpbitSecond, stated ?? TimeSpan.Zero)));
            }
            else if (httpStatus == 418)
            {
                if (budget.Bans > 0 && now - budget.LastBan >= Ticks(BanMemory)) budget.Bans = 0;
                var wait = stated ?? Min(LongestBan, FirstBan * Math.Pow(2, Math.Min(budget.Bans, 16)));
                budget.Bans++;
                budget.LastBan = now;
                budget.BannedUntil = Math.Max(budget.BannedUntil, now + Ticks(wait));
            }
        }
    }

    /// <summary>What the guard holds (tests: memory stays bounded).</summary>
    internal (int Bots, int Pockets, int Participants) Footprint()
    {
        lock (_lock)
            return (_bots.Count, _pockets.Count, _pockets.Values.Sum(p => p.Participants.Count));
    }

    private static bool WithinFairShare(string bot, PocketBudget budget, GroupWindow window, int capacity, out int share)
    {
        share = Math.Max(1, capacity / budget.Participants.Count);
        if (window.UsedBy(bot) < share) return true;
        long othersUnused = 0;
        foreach (var other in budget.Participants.Keys)
        {
            if (other != bot) othersUnused += Math.Max(0, share - window.UsedBy(other));
        }
        return capacity - window.Count - 1 >= othersUnused;
    }

    private PocketBudget Pocket(string pocket)
    {
        if (!_pockets.TryGetValue(pocket, out var budget))
            _pockets[pocket] = budget = new PocketBudget();
        return budget;
    }

    private void SweepIfDue(long now)
    {
        if (now < _nextSweep) return;
        _nextSweep = now + Ticks(SweepInterval);
        foreach (var (bot, bucket) in _bots.ToList())
        {
            if (bucket.IsFullAt(now, _time)) _bots.Remove(bot);
        }
        var memory = Ticks(ShareMemory);
        var banMemory = Ticks(BanMemory);
        foreach (var (name, budget) in _pockets.ToList())
        {
            foreach (var (group, window) in budget.Groups)
                window.Expire(now, Ticks(_rates.For(group).Period));
            budget.ForgetQuietParticipants(now, memory);
            budget.DropIdleGroups(now);
            if (budget.IsIdle(now, banMemory)) _pockets.Remove(name);
        }
    }

    private long Ticks(TimeSpan span) => (long)Math.Ceiling(span.TotalSeconds * _time.TimestampFrequency);

    private TimeSpan Until(long stamp, long now) => _time.GetElapsedTime(now, Math.Max(stamp, now));

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static void RequireDefined(RateGroup group)
    {
        if (!Enum.IsDefined(group))
            throw new ArgumentOutOfRangeException(nameof(group), group, "Not a defined RateGroup value.");
    }
}
