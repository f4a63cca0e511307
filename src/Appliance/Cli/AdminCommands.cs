using System.CommandLine;
using Appliance.Admin;

namespace Appliance.Cli;

/// <summary><c>appliance pause|resume|status</c>: talk to a running server over DATA_DIR/admin.sock.</summary>
internal static class AdminCommands
{
    public static IEnumerable<Command> Build(CliIo io)
    {
        yield return Make(io, AdminCommandNames.Pause, "Stop all signing at once (bots get FAILED_PRECONDITION PAUSED) until resumed");
        yield return Make(io, AdminCommandNames.Resume, "Resume signing after a pause");
        yield return Make(io, AdminCommandNames.Status, "Show whether the running server signs, is paused or has no key, and how many approvals wait");
    }

    private static Command Make(CliIo io, string name, string description)
    {
        var dataDir = CommonOptions.DataDir();
        var command = new Command(name, description) { dataDir };
        CommandAction.Set(command, io, async (parse, cancellationToken) =>
        {
            var data = CommonOptions.Open(parse, dataDir);
            var reply = await AdminClient.SendAsync(data.AdminSocket, name, cancellationToken);
            io.Out.WriteLine(Describe(name, reply));
            return 0;
        });
        return command;
    }

    internal static string Describe(string command, AdminReply reply)
    {
        var line = $"state: {reply.State}; key {(reply.TokenPresent ? "present" : "ABSENT")}; approvals waiting: {reply.PendingApprovals}";
        if (reply.LockedKb is { } locked) line += $"\nmemory: {locked} KiB locked in RAM; core dumps {(reply.CoreDumps == false ? "off" : "ON (start it as 'appliance serve')")}";
        return command switch
        {
            AdminCommandNames.Pause => "paused: every signature is refused until 'appliance resume' or a long press\n" + line,
            AdminCommandNames.Resume => "resumed\n" + line,
            _ => line,
        };
    }
}
