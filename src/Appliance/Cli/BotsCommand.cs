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
        bots.Add(List(io));
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
        var transferPocket = new Option<string[]>("--transfer-pocket") { Description = "Pocket UUID the bot may transfer assets to (POST /v1/pockets/transfers, universal_transfers); repeat for more (default: none)" };
        var output = new Option<string?>("--out") { Description = "Where to write the bundle (default: DATA_DIR/bundles/NAME)" };
        var command = new Command("add", "Issue a client certificate and write the bot's bundle")
        {
            name, dataDir, credential, scopes, markets, allowIp, maxNotional, maxVolume, withdrawAddress, withdrawCap, transferPocket, output,
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
            };
            var (profile, bundle) = new BotEnrollment(data, time, new DataDirPolicySigner(data, io.Out)).Add(request, parse.GetValue(output));
            io.Out.WriteLine($"bot {profile.Name} added and signed (version {profile.Policy?.Version}): scopes {string.Join(",", profile.Scopes)}, credential {profile.Credential}");
            foreach (var destination in profile.WithdrawAddresses) io.Out.WriteLine($"may withdraw to {destination}");
            foreach (var cap in profile.WithdrawCaps) io.Out.WriteLine($"withdrawal cap {cap} (CURRENCY:PER_WITHDRAWAL:PER_24H)");
            foreach (var pocket in profile.TransferPockets) io.Out.WriteLine($"may transfer to pocket {pocket}");
            io.Out.WriteLine($"bundle written to {bundle} (copy the whole directory to the bot host; bot.key is its secret)");
            return 0;
        });
        return command;
    }

    private static Command List(CliIo io)
    {
        var dataDir = CommonOptions.DataDir();
        var command = new Command("list", "List bots with their scopes and state") { dataDir };
        CommandAction.Set(command, io, parse =>
        {
            var data = CommonOptions.Open(parse, dataDir);
            var files = new Policy.BotStore(data.Root).LoadEach();
            if (files.Count == 0) { io.Out.WriteLine("no bots; add one with 'appliance bots add'"); return 0; }
            var verdicts = PolicyInventory.Check(data).ToDictionary(i => i.Key, i => i.Verdict);
            io.Out.WriteLine($"{"NAME",-20} {"STATE",-8} {"POLICY",-14} {"CREDENTIAL",-16} {"CERT EXPIRES",-12} SCOPES");
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
                    $"{bot.Name,-20} {state,-8} {policy,-14} {bot.Credential,-16} {bot.CertExpires:yyyy-MM-dd}   {string.Join(",", bot.Scopes)}"));
                if (!verdict.Ok) io.Out.WriteLine($"  not loaded by the server: {verdict.Problem}");
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
        var output = new Option<string?>("--out") { Description = "Where to write the new bundle (default: DATA_DIR/bundles/NAME)" };
        var command = new Command("renew", "Issue a new certificate and bundle; the old certificate stops working") { name, dataDir, output };
        CommandAction.Set(command, io, parse =>
        {
            var data = CommonOptions.Open(parse, dataDir);
            var (profile, bundle) = new BotEnrollment(data, time, new DataDirPolicySigner(data, io.Out)).Renew(parse.GetValue(name)!, parse.GetValue(output));
            io.Out.WriteLine($"bot {profile.Name} renewed; new bundle in {bundle}");
            return 0;
        });
        return command;
    }
}
