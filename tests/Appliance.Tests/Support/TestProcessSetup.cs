using System.Runtime.CompilerServices;

namespace Appliance.Tests.Support;

/// <summary>
/// The test process hosts many servers and their clients at once on 2 cores. Tests that block a
/// pool thread on purpose (fake hardware sleeps like a YubiKey, sync waits of xunit) would otherwise
/// leave the pool to grow by one thread a second, and timing tests would measure that, not the
/// appliance. The appliance executable does the same at start (Program.Main).
/// </summary>
internal static class TestProcessSetup
{
    [ModuleInitializer]
    internal static void WidenThreadPool() => Appliance.Server.ThreadPoolSetup.Widen();
}
