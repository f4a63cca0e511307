using Appliance.Cli;

namespace Appliance;

public static class Program
{
    public static Task<int> Main(string[] args)
    {
        Umask.RestrictToOwner();
        Server.ThreadPoolSetup.Widen();
        return new CliApp(CliIo.FromConsole(), TimeProvider.System).RunAsync(args);
    }
}
