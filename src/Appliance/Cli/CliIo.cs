namespace Appliance.Cli;

/// <summary>The terminal a command talks to; injected so tests drive commands in-process.</summary>
public sealed record CliIo(TextReader In, TextWriter Out, TextWriter Error, bool InputIsTerminal)
{
    /// <summary>
    /// Standard input as raw bytes, when it is piped: <see cref="SecretInput"/> reads a secret from it
    /// straight into locked memory, where <see cref="In"/> would leave copies in its managed buffers.
    /// </summary>
    public Stream? RawIn { get; init; }

    public static CliIo FromConsole() => new(Console.In, Console.Out, Console.Error, !Console.IsInputRedirected)
    {
        RawIn = Console.IsInputRedirected ? Console.OpenStandardInput() : null,
    };
}
