namespace Appliance.Server;

/// <summary>
/// On a 2- or 4-core Pi the pool starts with one thread per core and adds threads slowly (about
/// one a second) when they block. A PKCS#11 call blocks for ~70 ms, fsync for a few ms; without
/// headroom a burst of those delays every continuation, including the KEY_ABSENT refusals that must
/// reach bots within half a second of an unplug. Called once at process start.
/// </summary>
public static class ThreadPoolSetup
{
    public const int MinThreads = 32;

    public static void Widen()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, MinThreads), Math.Max(io, MinThreads));
    }
}
