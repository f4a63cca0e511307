using System.Globalization;
using Appliance.Policy;

namespace Appliance.Alerts;

/// <summary>
/// The withdrawal addresses still in their cooling-off, as the panel shows them while idle: the operator sees, on
/// the appliance itself, which destinations are about to open and can revoke before they do. Pure.
/// </summary>
public static class WaitingAddresses
{
    /// <summary>At most this many addresses are listed; the count line says how many wait in all.</summary>
    public const int Listed = 3;

    public sealed record Waiting(string Bot, WithdrawalAddress Address, DateTimeOffset Opens);

    /// <summary>Addresses of bots that are not revoked whose cooling-off has not ended, soonest first.</summary>
    public static IReadOnlyList<Waiting> Of(IEnumerable<BotProfile> bots, TimeSpan coolingOff, DateTimeOffset now) =>
        bots.Where(b => b.Revoked is null)
            .SelectMany(b => b.WithdrawAddresses.Select(a => (Bot: b.Name, Address: a, Opens: a.OpensAt(coolingOff))))
            .Where(w => w.Opens > now)
            .Select(w => new Waiting(w.Bot, w.Address, w.Opens!.Value))
            .OrderBy(w => w.Opens).ThenBy(w => w.Bot, StringComparer.Ordinal)
            .ToList();

    /// <summary>Display lines (16 columns): a count, then per address its bot, currency and start of address, and when it opens (UTC).</summary>
    public static IReadOnlyList<string> Lines(IReadOnlyList<Waiting> waiting)
    {
        if (waiting.Count == 0) return [];
        var lines = new List<string> { waiting.Count == 1 ? "1 NEW ADDRESS" : $"{waiting.Count} NEW ADDRESSES" };
        foreach (var w in waiting.Take(Listed))
        {
            lines.Add($"bot {w.Bot}");
            var address = w.Address.Address;
            lines.Add($"{w.Address.Currency} {(address.Length > 10 ? address[..10] + "~" : address)}");
            lines.Add("opens " + w.Opens.UtcDateTime.ToString("MM-dd HH:mm", CultureInfo.InvariantCulture) + "Z");
        }
        if (waiting.Count > Listed) lines.Add($"+{waiting.Count - Listed} more: bots list");
        return lines;
    }
}
