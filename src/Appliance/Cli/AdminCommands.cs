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
        if (reply.Audit is { } audit) line += "\n" + DescribeAudit(audit);
        return command switch
        {
            AdminCommandNames.Pause => "paused: every signature is refused until 'appliance resume' or a long press\n" + line,
            AdminCommandNames.Resume => "resumed\n" + line,
            _ => line,
        };
    }

    internal static string DescribeAudit(AdminAuditStatus a)
    {
        static string Size(double bytes) => bytes >= 1 << 30
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / (1 << 30):0.0} GiB")
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / (1 << 20):0.0} MiB");
        var rate = a.BytesPerDay is { } perDay
            ? $"{Size(perDay)}/day, " + (a.DaysLeft is { } days
                ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"about {days:0.#} days until the disk is full at this rate")
                : "not growing")
            : "growth not measured yet";
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"audit: {Size(a.Bytes)} in {a.Segments} segment(s) from record {a.FirstSeq}; disk {a.DiskUsedPercent:0.#} % used, {Size(a.DiskFreeBytes)} free; {rate}");
    }
}
