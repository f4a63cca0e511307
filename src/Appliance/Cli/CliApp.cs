using System.CommandLine;

namespace Appliance.Cli;

/// <summary>The `appliance` command line: every subcommand, wired to one terminal and one clock.</summary>
public sealed class CliApp(CliIo io, TimeProvider time)
{
    public RootCommand Build()
    {
        var root = new RootCommand("Upbit signing appliance: keeps API secrets sealed under a hardware key and signs requests for bots");
        root.Add(ServeCommand.BuildDemo(io, time));
        root.Add(ServeCommand.BuildServe(io, time));
        root.Add(InitCommand.Build(io, time));
        root.Add(CredentialsCommand.Build(io, time));
        root.Add(BotsCommand.Build(io, time));
        root.Add(PolicyCommand.Build(io, time));
        root.Add(RecoveryCommand.Build(io, time));
        root.Add(SignCommand.Build(io));
        root.Add(StandInCommand.Build(io));
        foreach (var admin in AdminCommands.Build(io)) root.Add(admin);
        root.Add(AuditCommand.Build(io, time));
        root.Add(PanelCommand.Build(io, time));
        return root;
    }

    /// <summary>Runs one command line. Exit codes: 0 ok, 1 failed, 2 bad input (including parse errors).</summary>
    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        var parse = Build().Parse(args);
        var wantsHelp = args.Any(a => a is "-h" or "--help" or "-?");
        if (parse.Errors.Count > 0 && !wantsHelp)
        {
            foreach (var error in parse.Errors) io.Error.WriteLine($"error: {error.Message}");
            io.Error.WriteLine("See 'appliance --help' or 'appliance COMMAND --help'.");
            return 2;
        }
        return await parse.InvokeAsync(new InvocationConfiguration { Output = io.Out, Error = io.Error }, cancellationToken);
    }
}
