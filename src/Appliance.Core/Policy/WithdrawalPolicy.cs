using Appliance.Common;
using Appliance.Upbit;

namespace Appliance.Policy;

/// <summary>
/// The withdrawal part of step 3 (authorize): the destination must be on the bot's allowlist, the
/// amount within the bot's per-withdrawal cap, and the bot's withdrawals of that currency in the
/// last 24 h plus this one within its 24 h cap. Runs before anyone is asked to approve.
/// <para>
/// The 24 h sums count withdrawals that were signed. While a withdrawal waits for approval its amount
/// is reserved, so two concurrent withdrawals cannot both slip under the cap; the reservation is
/// released if it is not signed.
/// </para>
/// <para>
/// With an <see cref="IWithdrawalLedger"/> the sums survive a restart: every reservation is saved
/// durably <em>before</em> the withdrawal can be signed (if it cannot be saved, the withdrawal is
/// refused), and saved again when it is signed or released. A crash therefore leaves the totals at or
/// above what was really withdrawn, never below: a reservation found at start is counted as signed
/// at that moment (its 24 h run from the restart, later than any real signing).
/// </para>
/// <para>
/// An address added less than <c>cooling_off</c> ago is refused with ADDRESS_COOLING_OFF, saying when it
/// opens: its <c>added</c> time is signed with the profile, so it cannot be moved back without the token.
/// </para>
/// </summary>
public sealed class WithdrawalPolicy
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);

    /// <summary>How long a new address waits (appliance.json <c>cooling_off</c>).</summary>
    public TimeSpan CoolingOff => _coolingOff;

    private readonly TimeProvider _time;
    private readonly IWithdrawalLedger? _store;
    private readonly TimeSpan _coolingOff;
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Bot, string Currency), List<WithdrawalReservation>> _ledger = [];

    /// <param name="coolingOff">How long a new address waits (appliance.json <c>cooling_off</c>); zero: no wait.</param>
    public WithdrawalPolicy(TimeProvider time, IWithdrawalLedger? store = null, TimeSpan coolingOff = default)
    {
        _time = time;
        _store = store;
        _coolingOff = coolingOff;
        if (store is null) return;
        var now = time.GetUtcNow();
        foreach (var e in store.Loaded)
        {
            // A reservation that was never settled may have been signed just before the crash: count it, from now.
            var r = new WithdrawalReservation(this, e.Bot, e.Currency.ToUpperInvariant(), e.Amount, e.Signed ? e.Time : now) { Committed = true };
            if (!_ledger.TryGetValue((r.Bot, r.Currency), out var list)) _ledger[(r.Bot, r.Currency)] = list = [];
            list.Add(r);
        }
    }

    /// <summary>
    /// Refuses a withdrawal the bot's policy does not allow; otherwise reserves its amount until
    /// <see cref="WithdrawalReservation.Commit"/> (signed) or Dispose (not signed). Null for any
    /// request that is not a withdrawal.
    /// </summary>
    public WithdrawalReservation? Reserve(BotProfile bot, Endpoint endpoint, IReadOnlyList<UpbitParam> parameters)
    {
        if (!endpoint.IsWithdrawal) return null;
        string? Get(string key) => parameters.FirstOrDefault(p => p.Key == key).Value;
        var krw = endpoint.Path == "/v1/withdraws/krw";
        var currency = krw ? WithdrawalRules.Krw : Get("currency")?.ToUpperInvariant()
            ?? throw Refusals.MissingParam("currency", "for a coin withdrawal");
        var amount = Authorizer.ParseDecimal(parameters, "amount")
            ?? throw Refusals.MissingParam("amount", "for a withdrawal");

        if (!krw) CheckAddress(bot, currency, Get("net_type") ?? "", Get("address") ?? "", Get("secondary_address"));

        var cap = bot.WithdrawCaps.FirstOrDefault(c => string.Equals(c.Currency, currency, StringComparison.OrdinalIgnoreCase));
        if (cap?.PerWithdrawal is { } perWithdrawal && amount > perWithdrawal)
            throw Refusals.WithdrawAboveCap(bot.Name, amount, currency, perWithdrawal);

        var reservation = new WithdrawalReservation(this, bot.Name, currency, amount, _time.GetUtcNow());
        lock (_lock)
        {
            var entries = Entries(bot.Name, currency);
            if (cap?.Per24Hours is { } per24Hours)
            {
                var used = entries.Sum(e => e.Amount);
                if (used + amount > per24Hours)
                    throw Refusals.WithdrawAbove24h(bot.Name, used, amount, currency, per24Hours);
            }
            entries.Add(reservation);
            try { Persist(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The totals live in the audit folder: to a bot this is the audit log's refusal (the catalogue's
                // sentence, no path or errno); the store logs the cause for the operator.
                entries.Remove(reservation);
                throw Refusals.AuditUnavailable();
            }
        }
        return reservation;
    }

    /// <summary>What a bot has withdrawn (signed) or is withdrawing (reserved) of a currency in the last 24 h.</summary>
    public decimal UsedInWindow(string bot, string currency)
    {
        lock (_lock) return Entries(bot, currency.ToUpperInvariant()).Sum(e => e.Amount);
    }

    private void CheckAddress(BotProfile bot, string currency, string netType, string address, string? secondary)
    {
        var matches = bot.WithdrawAddresses.Where(a => a.Matches(currency, netType, address, secondary)).ToList();
        if (matches.Count > 0)
        {
            // Listed twice (added again later): the earliest opening counts, since the older entry was signed too.
            // An entry from before cooling-off (no added time) never waited.
            var opens = matches.Any(a => a.Added is null) ? null : matches.Min(a => a.OpensAt(_coolingOff));
            if (opens is { } at && _time.GetUtcNow() < at)
                throw Refusals.AddressCoolingOff(bot.Name, $"{currency} on network '{Refusals.Echo(netType)}' to '{Refusals.Echo(address)}'", at);
            return;
        }
        throw bot.WithdrawAddresses.Count == 0
            ? Refusals.NoWithdrawAddresses(bot.Name)
            : Refusals.WithdrawAddressDenied(bot.Name,
                $"{currency} on network '{Refusals.Echo(netType)}' to '{Refusals.Echo(address)}'{(secondary is null ? "" : $" (memo '{Refusals.Echo(secondary)}')")}");
    }

    /// <summary>The live entries of one bot and currency, dropping those older than the window (under the lock).</summary>
    private List<WithdrawalReservation> Entries(string bot, string currency)
    {
        if (!_ledger.TryGetValue((bot, currency), out var entries))
            _ledger[(bot, currency)] = entries = [];
        var since = _time.GetUtcNow() - Window;
        entries.RemoveAll(e => e.Released || (e.Committed && e.Time <= since));
        return entries;
    }

    internal void Settle(WithdrawalReservation reservation, bool signed)
    {
        lock (_lock)
        {
            if (reservation.Committed || reservation.Released) return;
            if (signed)
            {
                // The window runs from when the token left, not from when the request arrived.
                reservation.Time = _time.GetUtcNow();
                reservation.Committed = true;
            }
            else reservation.Released = true;
            // If this save fails the file still holds the reservation: too high, the safe side; the next save rewrites it.
            try { Persist(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    /// <summary>Saves every live entry (under the lock). A no-op without a store.</summary>
    private void Persist()
    {
        if (_store is null) return;
        var since = _time.GetUtcNow() - Window;
        _store.Save(_ledger.Values.SelectMany(list => list)
            .Where(e => !e.Released && !(e.Committed && e.Time <= since))
            .Select(e => new WithdrawalLedgerEntry(e.Bot, e.Currency, e.Amount, e.Time, e.Committed))
            .ToList());
    }
}

/// <summary>An amount held against a 24 h cap: counted once <see cref="Commit"/>ted, given back on Dispose otherwise.</summary>
public sealed class WithdrawalReservation : IDisposable
{
    private readonly WithdrawalPolicy _policy;

    internal WithdrawalReservation(WithdrawalPolicy policy, string bot, string currency, decimal amount, DateTimeOffset time)
    {
        _policy = policy;
        Bot = bot;
        Currency = currency;
        Amount = amount;
        Time = time;
    }

    public string Bot { get; }
    public string Currency { get; }
    public decimal Amount { get; }
    internal DateTimeOffset Time { get; set; }
    internal bool Committed { get; set; }
    internal bool Released { get; set; }

    /// <summary>The withdrawal was signed: its amount counts for the next 24 h.</summary>
    public void Commit() => _policy.Settle(this, signed: true);

    /// <summary>Releases the amount unless it was committed.</summary>
    public void Dispose() => _policy.Settle(this, signed: false);
}
