using System.CommandLine;
using System.Globalization;
using Appliance.Provisioning;

namespace Appliance.Cli;

/// <summary><c>appliance bots add|list|revoke|renew</c>.</summary>
internal static class BotsCommand
{
    public static Command Build(CliIo io, TimeProvider time)
    {
        var bots = new Command("bots", "Add, list, revoke and renew the bots allowed to ask for signatures");
        bots.Add(Add(io, time));
        bots.Add(List(io, time));
        bots.Add(Revoke(io, time));
        bots.Add(Renew(io, time));
        bots.Add(BotsUpdateCommand.Update(io, time));
        bots.Add(BotsUpdateCommand.Remove(io, time));
        return bots;
    }

    private static Command Add(CliIo io, TimeProvider time)
    {
        var dataDir = CommonOptions.DataDir();
        var name = new Argument<string>("name") { Description = "Bot name: lowercase letters, digits, '-', '_'" };
        var credential = new Option<string>("--credential") { Description = "The credential this bot signs with by default", Required = true };
        var scopes = new Option<string>("--scopes") { Description = "Comma list: view-assets, view-orders, trade, trade-test, view-withdrawals, withdraw, view-deposits, deposit, pocket-manage, asset-transfer", Required = true };
        var markets = new Option<string?>("--markets") { Description = "Comma list of markets the bot may touch, e.g. KRW-BTC,KRW-ETH (default: any)" };
        var allowIp = new Option<string[]>("--allow-ip") { Description = "CIDR the bot may connect from; repeat for more (default: private LAN ranges)", AllowMultipleArgumentsPerToken = false };
        var maxNotional = new Option<decimal?>("--max-order-notional") { Description = "Largest order in quote currency (price × volume)" };
        var maxVolume = new Option<decimal?>("--max-order-volume") { Description = "Largest order volume in base currency" };
        var withdrawAddress = new Option<string[]>("--withdraw-address") { Description = "CURRENCY:NET_TYPE:ADDRESS[:SECONDARY] the bot may withdraw to; repeat for more (default: none)" };
        var withdrawCap = new Option<string[]>("--withdraw-cap") { Description = "CURRENCY:PER_WITHDRAWAL:PER_24H caps, e.g. BTC:0.1:0.5 or KRW::5000000; repeat per currency" };
        var rate = new Option<double?>("--rate")
        {
            Description = $"The bot's own request rate, N/s (default {Policy.BotProfile.DefaultRatePerSecond}/s); bots sharing an Upbit pocket also share its limits fairly",
            CustomParser = r => RateOption.Parse(r.Tokens.Single().Value) is { } value ? value : Fail<double>(r, RateOption.Usage),
        };
        var burst = new Option<int?>("--burst")
        {
            Description = $"How many requests the bot may send at once after a pause (default {Policy.BotProfile.DefaultBurst})",
        };
        var output = OutOption("Directory to write the bot's bundle to (required, outside the data dir; the appliance keeps no copy of bot.key)");
        var detached = new Option<bool>("--detached") { Description = "Let the bot take detached tokens from Sign (refused unless the token can do nothing the bot may not)" };
        var transferPocket = new Option<string[]>("--transfer-pocket") { Description = "Pocket UUID the bot may transfer assets to (POST /v1/pockets/transfers, universal_transfers); repeat for more (default: none)" };
        var allOrders = new Option<bool>("--all-orders") { Description = "Let the bot see and cancel every order, not only the ones it placed" };
        var command = new Command("add", "Issue a client certificate and write the bot's bundle to --out")
        {
            name, dataDir, credential, scopes, markets, allowIp, maxNotional, maxVolume, withdrawAddress, withdrawCap, transferPocket, rate, burst, output, detached, allOrders,
        };
        CommandAction.Set(command, io, parse =>
        {
            var data = CommonOptions.Open(parse, dataDir);
            var request = new BotRequest(parse.GetValue(name)!, parse.GetValue(credential)!, CommonOptions.SplitList(parse.GetValue(scopes)))
            {
                Markets = CommonOptions.SplitList(parse.GetValue(markets)),
                AllowIps = parse.GetValue(allowIp) ?? [],
                MaxOrderNotional = parse.GetValue(maxNotional),
                MaxOrderVolume = parse.GetValue(maxVolume),
                WithdrawAddresses = (parse.GetValue(withdrawAddress) ?? []).Select(Policy.WithdrawalAddress.Parse).ToList(),
                WithdrawCaps = (parse.GetValue(withdrawCap) ?? []).Select(Policy.WithdrawalCap.Parse).ToList(),
                TransferPockets = (parse.GetValue(transferPocket) ?? []).Select(Policy.PocketTransfers.Parse).ToList(),
                Detached = parse.GetValue(detached),
                AllOrders = parse.GetValue(allOrders),
                RatePerSecond = parse.GetValue(rate),
                Burst = parse.GetValue(burst),
            };
            var (profile, bundle) = new BotEnrollment(data, time, new DataDirPolicySigner(data, io.Out)).Add(request, parse.GetValue(output)!);
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"bot {profile.Name} added and signed (version {profile.Policy?.Version}): scopes {string.Join(",", profile.Scopes)}, credential {profile.Credential}, rate {profile.RatePerSecond}/s burst {profile.Burst}"));
            var config = Config.ApplianceConfig.Load(data.ConfigFile);
            foreach (var destination in profile.WithdrawAddresses)
                io.Out.WriteLine(destination.OpensAt(config.CoolingOffPeriod) is { } opens && opens > time.GetUtcNow()
                    ? string.Create(CultureInfo.InvariantCulture, $"may withdraw to {destination} from {opens.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC (cooling_off {config.CoolingOff})")
                    : $"may withdraw to {destination}");
            foreach (var cap in profile.WithdrawCaps) io.Out.WriteLine($"withdrawal cap {cap} (CURRENCY:PER_WITHDRAWAL:PER_24H)");
            foreach (var pocket in profile.TransferPockets) io.Out.WriteLine($"may transfer to pocket {pocket}");
            io.Out.WriteLine($"bundle written to {bundle}: copy the whole directory to the bot host, then delete it here (bot.key is the bot's secret; the appliance keeps no copy)");
            return 0;
        });
        return command;
    }

    private static T? Fail<T>(System.CommandLine.Parsing.ArgumentResult result, string message) where T : struct
    {
        result.AddError(message);
        return null;
    }

    /// <summary>
    /// Not marked Required: BotEnrollment's own check gives the sentence that explains why it is
    /// needed (System.CommandLine would say only that it is missing).
    /// </summary>
    private static Option<string?> OutOption(string description) => new("--out") { Description = description };

    private static Command List(CliIo io, TimeProvider time)
    {
        var dataDir = CommonOptions.DataDir();
        var command = new Command("list", "List bots with their scopes and state") { dataDir };
        CommandAction.Set(command, io, parse =>
        {
            var data = CommonOptions.Open(parse, dataDir);
            var files = new Policy.BotStore(data.Root).LoadEach();
            if (files.Count == 0) { io.Out.WriteLine("no bots; add one with 'appliance bots add'"); return 0; }
            var verdicts = PolicyInventory.Check(data).ToDictionary(i => i.Key, i => i.Verdict);
            var coolingOff = Config.ApplianceConfig.Load(data.ConfigFile).CoolingOffPeriod;
            io.Out.WriteLine($"{"NAME",-20} {"STATE",-8} {"POLICY",-14} {"CREDENTIAL",-16} {"RATE/BURST",-12} {"CERT EXPIRES",-12} SCOPES");
            foreach (var file in files)
            {
                var verdict = verdicts[file.Key];
                var policy = verdict.Ok ? $"v{verdict.Version} {verdict.Change}" : verdict.Unsigned ? "UNSIGNED" : "NOT LOADED";
                if (file.Record is not { } bot)
                {
                    io.Out.WriteLine($"{file.Key.Name,-20} {"?",-8} {policy,-14} (cannot be read: {file.Error})");
                    continue;
                }
                var state = bot.Revoked is null ? "active" : "revoked";
                io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{bot.Name,-20} {state,-8} {policy,-14} {bot.Credential,-16} {$"{bot.RatePerSecond}/s {bot.Burst}",-12} {bot.CertExpires:yyyy-MM-dd}   {string.Join(",", bot.Scopes)}"));
                if (!verdict.Ok) io.Out.WriteLine($"  not loaded by the server: {verdict.Problem}");
                foreach (var (address, opens) in BotEnrollment.Waiting(bot, coolingOff, time.GetUtcNow()))
                    io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  waiting: withdrawal address {address} opens {opens.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC"));
            }
            return 0;
        });
        return command;
    }

    private static Command Revoke(CliIo io, TimeProvider time)
    {
        var dataDir = CommonOptions.DataDir();
        var name = new Argument<string>("name");
        var command = new Command("revoke", "Revoke a bot (needs no token); a running server refuses it at once, and the revocation is anchored in the audit log") { name, dataDir };
        CommandAction.Set(command, io, parse =>
        {
            var profile = new BotEnrollment(CommonOptions.Open(parse, dataDir), time).Revoke(parse.GetValue(name)!);
            io.Out.WriteLine($"bot {profile.Name} revoked at {profile.Revoked:u} (version {profile.Policy?.Version}, anchored in the audit log)");
            return 0;
        });
        return command;
    }

    private static Command Renew(CliIo io, TimeProvider time)
    {
        var dataDir = CommonOptions.DataDir();
        var name = new Argument<string>("name");
        var output = OutOption("Directory to write the new bundle to (required, outside the data dir)");
        var command = new Command("renew", "Issue a new certificate and bundle (to --out); the old certificate stops working") { name, dataDir, output };
        CommandAction.Set(command, io, parse =>
        {
            var data = CommonOptions.Open(parse, dataDir);
            var (profile, bundle) = new BotEnrollment(data, time, new DataDirPolicySigner(data, io.Out)).Renew(parse.GetValue(name)!, parse.GetValue(output)!);
            io.Out.WriteLine($"bot {profile.Name} renewed; new bundle in {bundle}: copy it to the bot host, then delete it here");
            return 0;
        });
        return command;
    }
}
