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
        root.Add(CredentialsCommand.Build(io, time));
        root.Add(BotsCommand.Build(io, time));
        root.Add(SignCommand.Build(io));
        root.Add(PanelCommand.Build(io, time));
        return root;
    }

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default) =>
        Build().Parse(args).InvokeAsync(new InvocationConfiguration { Output = io.Out, Error = io.Error }, cancellationToken);
}
