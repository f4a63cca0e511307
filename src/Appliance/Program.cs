using Appliance.Cli;

namespace Appliance;

public static class Program
{
    public static Task<int> Main(string[] args)
    {
        Umask.RestrictToOwner();
        ProcessHardening.DisableCoreDumps(); // before any command reads a PIN or a secret
        Server.ThreadPoolSetup.Widen();
        return new CliApp(CliIo.FromConsole(), TimeProvider.System).RunAsync(args);
    }
}
