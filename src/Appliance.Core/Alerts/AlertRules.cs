using System.Globalization;
using Appliance.Common;
using Appliance.Sealing;
using Appliance.Pipeline;
using Appliance.Policy;
using Appliance.Upbit;

namespace Appliance.Alerts;

/// <summary>
/// The rules over the stream of decisions and the appliance's inventory (issue 5): every withdrawal
/// request; an order notional above k × the bot's rolling median; bursts of authentication failures
/// or of one bot's denials; a new bot or credential; a credential near expiry or too old; the token
/// removed. Pure and thread-safe; a burst alerts once per window, not once per request.
/// </summary>
public sealed class AlertRules(AlertOptions options, TimeProvider time)
{
    private static readonly HashSet<string> AuthReasons =
        [Reasons.UnknownBot, Reasons.BotRevoked, Reasons.NoClientCertificate, Reasons.IpNotAllowed];

    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<decimal>> _notionals = [];
    private readonly Dictionary<string, Queue<DateTimeOffset>> _bursts = [];
    private readonly Dictionary<string, DateTimeOffset> _burstAlerted = [];
    private HashSet<string>? _knownBots;
    private HashSet<string>? _knownAddresses;
    private HashSet<string>? _knownCredentials;
    private readonly HashSet<string> _credentialWarned = [];
    private bool _tokenPresent = true;

    public IReadOnlyList<Alert> Observe(SignDecision d)
    {
        var alerts = new List<Alert>();
        var now = time.GetUtcNow();
        var bot = d.Bot == "-" ? null : d.Bot;
        lock (_gate)
        {
            if (d.Endpoint is { MovesAssets: true } endpoint)
                alerts.Add(new Alert(AlertRuleNames.Withdrawal, now,
                    $"{(endpoint.IsWithdrawal ? "withdrawal" : "asset transfer")} request {endpoint} by {d.Bot} ({Wire.Name(d.Outcome)}{(d.Reason is null ? "" : " " + d.Reason)}): {Describe(d.Params)}",
                    bot, d.Credential));
            if (d.Outcome is Outcome.Sent or Outcome.Signed && bot is not null && Notional(d) is { } notional && LargeOrder(bot, notional) is { } median)
                alerts.Add(new Alert(AlertRuleNames.LargeOrder, now,
                    $"order of notional {notional} by {bot} is above {options.NotionalFactor} × its median of {median}", bot, d.Credential));
            if (d.Outcome == Outcome.Denied && d.Reason is { } reason)
            {
                if (AuthReasons.Contains(reason) && Burst("auth", now) is { } n)
                    alerts.Add(new Alert(AlertRuleNames.AuthFailures, now,
                        $"{n} authentication failures within {options.BurstWindowSeconds:0} s (last: {reason} from {d.PeerAddress})"));
                else if (!AuthReasons.Contains(reason) && bot is not null && Burst("denied:" + bot, now) is { } m)
                    alerts.Add(new Alert(AlertRuleNames.Denials, now,
                        $"{m} requests of {bot} denied within {options.BurstWindowSeconds:0} s (last: {reason} on {d.Endpoint?.ToString() ?? "an unknown endpoint"})", bot));
            }
        }
        return alerts;
    }

    /// <summary>
    /// Bots and credentials as they are now. The first call learns them (no alert); later calls alert
    /// on each new name. Every call checks credential expiry and age, once per credential.
    /// </summary>
    public IReadOnlyList<Alert> ObserveInventory(IEnumerable<string> bots, IEnumerable<CredentialMetadata> credentials)
    {
        var alerts = new List<Alert>();
        var now = time.GetUtcNow();
        var credentialList = credentials.ToList();
        lock (_gate)
        {
            foreach (var name in New(ref _knownBots, bots))
                alerts.Add(new Alert(AlertRuleNames.NewBot, now, $"new bot '{name}' can now ask for signatures", name));
            foreach (var name in New(ref _knownCredentials, credentialList.Select(c => c.Name)))
                alerts.Add(new Alert(AlertRuleNames.NewCredential, now, $"new credential '{name}' was loaded", Credential: name));
            foreach (var c in credentialList)
            {
                var left = c.Expires - now;
                if (left < TimeSpan.FromDays(options.CredentialExpiryWarningDays) && _credentialWarned.Add("expiry:" + c.Name))
                    alerts.Add(new Alert(AlertRuleNames.CredentialExpiry, now,
                        left <= TimeSpan.Zero
                            ? $"credential '{c.Name}' expired on {CredentialMetadata.FormatTime(c.Expires)}; rotate it"
                            : $"credential '{c.Name}' expires in {left.TotalDays:0.#} days ({CredentialMetadata.FormatTime(c.Expires)}); rotate it",
                        Credential: c.Name));
                if (now - c.Created > TimeSpan.FromDays(options.CredentialMaxAgeDays) && _credentialWarned.Add("age:" + c.Name))
                    alerts.Add(new Alert(AlertRuleNames.CredentialAge, now,
                        $"credential '{c.Name}' is {(now - c.Created).TotalDays:0} days old (over {options.CredentialMaxAgeDays:0}); rotate the Upbit key", Credential: c.Name));
            }
        }
        return alerts;
    }

    /// <summary>
    /// An alert per withdrawal address that appears on a bot while this server runs, and, at the first look, per address
    /// still in its cooling-off (added while the server was down): the operator has until it opens to object.
    /// </summary>
    public IReadOnlyList<Alert> ObserveAddresses(IEnumerable<BotProfile> bots, TimeSpan coolingOff)
    {
        var alerts = new List<Alert>();
        var now = time.GetUtcNow();
        var current = new Dictionary<string, (BotProfile Bot, WithdrawalAddress Address)>(StringComparer.Ordinal);
        foreach (var bot in bots.Where(b => b.Revoked is null))
            foreach (var address in bot.WithdrawAddresses)
                current.TryAdd($"{bot.Name}|{address}", (bot, address));
        lock (_gate)
        {
            var first = _knownAddresses is null;
            var known = _knownAddresses ?? [];
            foreach (var (key, (bot, address)) in current.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                if (known.Contains(key)) continue;
                var opens = address.OpensAt(coolingOff);
                if (first && !(opens > now)) continue; // already usable when this server started: nothing new
                alerts.Add(new Alert(AlertRuleNames.WithdrawalAddressAdded, now, opens > now
                    ? $"withdrawal address {address} was added to bot '{bot.Name}'; usable from {opens.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)} UTC unless you revoke the bot or remove the address"
                    : $"withdrawal address {address} was added to bot '{bot.Name}' and is usable now", bot.Name));
            }
            _knownAddresses = [.. current.Keys];
        }
        return alerts;
    }

    /// <summary>An alert when the token goes from present to absent.</summary>
    public Alert? ObserveToken(bool present)
    {
        lock (_gate)
        {
            var removed = _tokenPresent && !present;
            _tokenPresent = present;
            return removed ? new Alert(AlertRuleNames.TokenRemoved, time.GetUtcNow(), "the hardware key was removed: every secret is locked") : null;
        }
    }

    private decimal? LargeOrder(string bot, decimal notional)
    {
        if (!_notionals.TryGetValue(bot, out var window)) _notionals[bot] = window = [];
        decimal? median = null;
        if (window.Count >= options.NotionalMinOrders)
        {
            var sorted = window.Order().ToList();
            var m = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
            if (notional > options.NotionalFactor * m) median = m;
        }
        window.Add(notional);
        if (window.Count > options.NotionalMinOrders * 5) window.RemoveAt(0);
        return median;
    }

    /// <summary>The count when this event makes a burst that has not been reported in this window.</summary>
    private const int MaxBurstEvents = 10_000;

    private int? Burst(string key, DateTimeOffset now)
    {
        if (!_bursts.TryGetValue(key, out var events)) _bursts[key] = events = new Queue<DateTimeOffset>();
        if (events.Count < MaxBurstEvents) events.Enqueue(now); // a flood counts as "at least this many", never grows memory
        while (events.Count > 0 && now - events.Peek() > options.BurstWindow) events.Dequeue();
        if (events.Count < options.BurstCount) return null;
        if (_burstAlerted.TryGetValue(key, out var last) && now - last < options.BurstWindow) return null;
        _burstAlerted[key] = now;
        return events.Count;
    }

    private static List<string> New(ref HashSet<string>? known, IEnumerable<string> names)
    {
        var current = names.ToHashSet(StringComparer.Ordinal);
        if (known is null)
        {
            known = current;
            return [];
        }
        var before = known;
        var added = current.Where(n => !before.Contains(n)).Order(StringComparer.Ordinal).ToList();
        known = current;
        return added;
    }

    /// <summary>The order's value in quote currency where it is known before the fill (as OrderCaps judges it).</summary>
    private static decimal? Notional(SignDecision d)
    {
        if (d.Method != "POST" || d.Path is not ("/v1/orders" or "/v1/orders/test")) return null;
        string? Get(string key) => d.Params.FirstOrDefault(p => p.Key == key).Value;
        decimal? Dec(string key) => decimal.TryParse(Get(key), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var v) ? v : null;
        var (price, volume) = (Dec("price"), Dec("volume"));
        return Get("ord_type") switch
        {
            "limit" when price is not null && volume is not null => price * volume,
            "price" => price,
            "best" when Get("side") == "bid" => price,
            _ => null,
        };
    }

    /// <summary>Alert text carries what the bot sent only escaped and bounded: at most 16 params, each value echoed.</summary>
    private static string Describe(IReadOnlyList<UpbitParam> ps) =>
        string.Join(' ', ps.Take(16).Select(p => $"{Refusals.Echo(p.Key)}={Refusals.Echo(p.Value)}")) + (ps.Count > 16 ? " …" : "");

    /// <summary>Peers that are not our bots: one alert per burst window, saying how many, naming nobody.</summary>
    public Alert? ObserveUnknownPeer()
    {
        var now = time.GetUtcNow();
        lock (_gate)
            return Burst("auth", now) is { } n
                ? new Alert(AlertRuleNames.AuthFailures, now, $"{n} requests from unknown peers within {options.BurstWindowSeconds:0} s")
                : null;
    }
}
