using System.Globalization;
using System.CommandLine;
using Appliance.Config;
using Appliance.Policy;
using Appliance.Provisioning;

namespace Appliance.Cli;

/// <summary>
/// <c>appliance bots update|remove</c>: changes to an existing bot. What only narrows its power (lower caps, fewer
/// scopes, markets, addresses or pockets, removing it) needs no token; anything that widens it is signed (a touch).
/// </summary>
internal static class BotsUpdateCommand
{
    public static Command Update(CliIo io, TimeProvider time)
    {
        var dataDir = CommonOptions.DataDir();
        var name = new Argument<string>("name");
        var scopes = new Option<string?>("--scopes") { Description = "The bot's scopes from now on (comma list)" };
        var markets = new Option<string?>("--markets") { Description = "The bot's markets from now on (comma list; 'any' for no limit)" };
        var maxNotional = new Option<decimal?>("--max-order-notional") { Description = "Largest order in quote currency" };
        var maxVolume = new Option<decimal?>("--max-order-volume") { Description = "Largest order volume in base currency" };
        var withdrawCap = new Option<string[]>("--withdraw-cap") { Description = "CURRENCY:PER_WITHDRAWAL:PER_24H; replaces that currency's caps" };
        var addAddress = new Option<string[]>("--withdraw-address") { Description = "Add a destination CURRENCY:NET_TYPE:ADDRESS[:SECONDARY] (widens: a touch)" };
        var removeAddress = new Option<string[]>("--remove-withdraw-address") { Description = "Remove a destination CURRENCY:NET_TYPE:ADDRESS[:SECONDARY]" };
        var addPocket = new Option<string[]>("--transfer-pocket") { Description = "Add a destination pocket (widens: a touch)" };
        var removePocket = new Option<string[]>("--remove-transfer-pocket") { Description = "Remove a destination pocket" };
        var command = new Command("update", "Change a bot's policy: narrowing needs no token, widening is signed (a touch)")
        {
            name, dataDir, scopes, markets, maxNotional, maxVolume, withdrawCap, addAddress, removeAddress, addPocket, removePocket,
        };
        CommandAction.Set(command, io, parse =>
        {
            var data = CommonOptions.Open(parse, dataDir);
            var caps = (parse.GetValue(withdrawCap) ?? []).Select(WithdrawalCap.Parse).ToList();
            var added = (parse.GetValue(addAddress) ?? []).Select(WithdrawalAddress.Parse).ToList();
            var removed = (parse.GetValue(removeAddress) ?? []).Select(WithdrawalAddress.Parse).ToList();
            var pocketsAdded = (parse.GetValue(addPocket) ?? []).Select(PocketTransfers.Parse).ToList();
            var pocketsRemoved = parse.GetValue(removePocket) ?? [];
            var (profile, signed) = new BotEnrollment(data, time, new DataDirPolicySigner(data, io.Out)).Update(parse.GetValue(name)!, bot => bot with
            {
                Scopes = parse.GetValue(scopes) is { } s
                    ? CommonOptions.SplitList(s).Select(x => Upbit.Scopes.ToWire(Upbit.Scopes.Parse(x))).Distinct().Order(StringComparer.Ordinal).ToList()
                    : bot.Scopes,
                Markets = parse.GetValue(markets) is { } m ? (m == "any" ? [] : CommonOptions.SplitList(m)) : bot.Markets,
                MaxOrderNotional = parse.GetValue(maxNotional) ?? bot.MaxOrderNotional,
                MaxOrderVolume = parse.GetValue(maxVolume) ?? bot.MaxOrderVolume,
                WithdrawCaps = [.. bot.WithdrawCaps.Where(c => caps.All(n => !string.Equals(n.Currency, c.Currency, StringComparison.OrdinalIgnoreCase))), .. caps],
                WithdrawAddresses = [.. bot.WithdrawAddresses.Where(a => !removed.Any(r => r.SameDestination(a))),
                    .. added.Where(a => !bot.WithdrawAddresses.Any(b => b.SameDestination(a)))],
                TransferPockets = [.. bot.TransferPockets.Where(p => !pocketsRemoved.Contains(p, StringComparer.Ordinal)),
                    .. pocketsAdded.Where(p => !bot.TransferPockets.Contains(p, StringComparer.Ordinal))],
            });
            io.Out.WriteLine(signed
                ? $"bot {profile.Name} changed and signed (version {profile.Policy?.Version})"
                : $"bot {profile.Name} narrowed without the token (version {profile.Policy?.Version}, anchored in the audit log)");
            var config = ApplianceConfig.Load(data.ConfigFile);
            foreach (var (address, opens) in BotEnrollment.Waiting(profile, config.CoolingOffPeriod, time.GetUtcNow()))
                io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"withdrawal address {address} is usable from {opens.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC (cooling_off {config.CoolingOff})"));
            return 0;
        });
        return command;
    }

    public static Command Remove(CliIo io, TimeProvider time)
    {
        var dataDir = CommonOptions.DataDir();
        var name = new Argument<string>("name");
        var command = new Command("remove", "Delete a bot (needs no token; the removal is anchored in the audit log)") { name, dataDir };
        CommandAction.Set(command, io, parse =>
        {
            new BotEnrollment(CommonOptions.Open(parse, dataDir), time).Remove(parse.GetValue(name)!);
            io.Out.WriteLine($"bot {parse.GetValue(name)} removed; the removal is anchored in the audit log");
            return 0;
        });
        return command;
    }
}
