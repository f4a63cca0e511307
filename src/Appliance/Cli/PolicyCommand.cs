using System.CommandLine;
using Appliance.Provisioning;

namespace Appliance.Cli;

/// <summary><c>appliance policy status|sign-all</c>: the signed policy of a data dir.</summary>
internal static class PolicyCommand
{
    public static Command Build(CliIo io, TimeProvider time)
    {
        var policy = new Command("policy", "Signed policy: what the server loads, and signing it with the token");
        policy.Add(Status(io));
        policy.Add(SignAll(io, time));
        return policy;
    }

    private static Command Status(CliIo io)
    {
        var dataDir = CommonOptions.DataDir();
        var command = new Command("status", "Each bot, credential and the config: signed, narrowed, unsigned or not loaded (and why)") { dataDir };
        CommandAction.Set(command, io, parse =>
        {
            var items = PolicyInventory.Check(CommonOptions.Open(parse, dataDir));
            foreach (var item in items)
            {
                var state = item.Verdict.Ok ? $"v{item.Verdict.Version} {item.Verdict.Change}" : item.Verdict.Unsigned ? "UNSIGNED" : "NOT LOADED";
                io.Out.WriteLine($"{item.Key,-32} {state}");
                if (!item.Verdict.Ok) io.Out.WriteLine($"  {item.Verdict.Problem}");
            }
            return items.All(i => i.Verdict.Ok) ? 0 : 1;
        });
        return command;
    }

    private static Command SignAll(CliIo io, TimeProvider time)
    {
        var dataDir = CommonOptions.DataDir();
        var command = new Command("sign-all", "Sign every bot, credential and the config as they are on disk, with one token signature (one touch)") { dataDir };
        CommandAction.Set(command, io, parse =>
        {
            var data = CommonOptions.Open(parse, dataDir);
            var (signed, unreadable) = new PolicySignAll(data, time, new DataDirPolicySigner(data, io.Out)).Run();
            foreach (var s in signed)
            {
                io.Out.WriteLine($"signed {s.Key} version {s.Version}");
                if (s.WasProblem is { } problem) io.Out.WriteLine($"  (before: {problem})");
            }
            foreach (var u in unreadable) io.Out.WriteLine($"NOT signed {u.Key}: {u.Verdict.Problem}");
            io.Out.WriteLine("every version is anchored in the audit log");
            return unreadable.Count == 0 ? 0 : 1;
        });
        return command;
    }
}
