namespace Appliance.Cli;

/// <summary>The terminal a command talks to; injected so tests drive commands in-process.</summary>
public sealed record CliIo(TextReader In, TextWriter Out, TextWriter Error, bool InputIsTerminal)
{
    public static CliIo FromConsole() => new(Console.In, Console.Out, Console.Error, !Console.IsInputRedirected);
}
