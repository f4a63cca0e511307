using System.CommandLine;
using Appliance.Config;

namespace Appliance.Cli;

internal static class CommonOptions
{
    public static Option<string> DataDir(bool demo = false) => new("--data-dir")
    {
        Description = demo
            ? "Data directory (default: ~/.local/share/appliance-demo)"
            : $"Data directory (default: {Config.DataDir.DefaultRoot})",
        DefaultValueFactory = _ => demo ? Config.DataDir.DefaultDemoRoot() : Config.DataDir.DefaultRoot,
    };

    public static DataDir Open(ParseResult parse, Option<string> option)
    {
        var data = new DataDir(parse.GetValue(option)!);
        data.EnsureInitialized();
        return data;
    }

    public static IReadOnlyList<string> SplitList(string? value) =>
        string.IsNullOrWhiteSpace(value)
            ? []
            : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
