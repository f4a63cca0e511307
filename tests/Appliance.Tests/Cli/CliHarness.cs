using Appliance.Cli;
using Appliance.Tests.Provisioning;

namespace Appliance.Tests.Cli;

/// <summary>Runs `appliance` commands in-process with captured output and a piped stdin.</summary>
public static class CliHarness
{
    public static async Task<(int Code, string Out, string Err)> Run(string? stdin, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var io = new CliIo(new StringReader(stdin ?? ""), output, error, InputIsTerminal: false);
        var code = await new CliApp(io, TimeProvider.System).RunAsync(args);
        return (code, output.ToString(), error.ToString());
    }
}
