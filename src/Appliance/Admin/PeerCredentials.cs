using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Appliance.Admin;

/// <summary>
/// Who is on the other end of a unix socket: Linux SO_PEERCRED (struct ucred: pid, uid, gid), read
/// through Socket.GetRawSocketOption. Only root or the user the server runs as may use the admin socket.
/// </summary>
internal static partial class PeerCredentials
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    public static bool Supported => OperatingSystem.IsLinux();

    public static uint OwnUid => GetEffectiveUserId();

    /// <summary>The peer's uid, or null where the kernel does not say (not Linux).</summary>
    public static uint? PeerUid(Socket socket)
    {
        if (!Supported) return null;
        Span<byte> ucred = stackalloc byte[12];
        var length = socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred);
        if (length < 12) throw new InvalidOperationException("SO_PEERCRED returned a short struct ucred.");
        return MemoryMarshal.Read<uint>(ucred[4..8]); // native byte order
    }

    /// <summary>Root, or the user this server runs as.</summary>
    public static bool IsAllowed(uint uid) => uid == 0 || uid == OwnUid;
}
