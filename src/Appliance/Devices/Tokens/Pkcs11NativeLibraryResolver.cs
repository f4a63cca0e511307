using System.Reflection;
using System.Runtime.InteropServices;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Appliance.Devices.Tokens;

/// <summary>
/// Pkcs11Interop 5.3 P/Invokes "libdl" to dlopen the module; Debian 12 ships only libdl.so.2 (without
/// libc6-dev there is no libdl.so), so the load fails unless we map the name ourselves.
/// </summary>
internal static class Pkcs11NativeLibraryResolver
{
    // The one piece of process-wide mutable state: .NET allows a single DllImport resolver per assembly
    // per process (a second SetDllImportResolver throws), so whether ours is installed must be
    // remembered process-wide, not per token.
    private static readonly Lock Gate = new();
    private static bool _installed;

    public static void EnsureInstalled()
    {
        lock (Gate)
        {
            if (_installed) return;
            try
            {
                NativeLibrary.SetDllImportResolver(typeof(Pkcs11InteropFactories).Assembly, Resolve);
            }
            catch (InvalidOperationException)
            {
                // Someone else in this process already installed a resolver for Pkcs11Interop; keep theirs.
            }
            _installed = true;
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != "libdl" || !OperatingSystem.IsLinux()) return IntPtr.Zero; // default probing
        return NativeLibrary.TryLoad("libdl.so.2", out var handle) ? handle : IntPtr.Zero;
    }
}
