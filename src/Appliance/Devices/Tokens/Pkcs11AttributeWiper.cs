using System.Runtime.InteropServices;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Appliance.Devices.Tokens;

/// <summary>
/// Pkcs11Interop keeps an attribute's value in unmanaged memory that it frees without zeroing
/// (UnmanagedMemory.Free is a bare FreeHGlobal), so a secret read from the token is wiped there first.
/// </summary>
internal static class Pkcs11AttributeWiper
{
    public static void Wipe(IObjectAttribute attribute)
    {
        // One CK_ATTRIBUTE layout per platform ABI (CK_ULONG 4 or 8 bytes, packed or not).
        var (pointer, length) = attribute.ToMarshalableStructure() switch
        {
            Net.Pkcs11Interop.LowLevelAPI80.CK_ATTRIBUTE a => (a.value, (long)a.valueLen),
            Net.Pkcs11Interop.LowLevelAPI81.CK_ATTRIBUTE a => (a.value, (long)a.valueLen),
            Net.Pkcs11Interop.LowLevelAPI40.CK_ATTRIBUTE a => (a.value, (long)a.valueLen),
            Net.Pkcs11Interop.LowLevelAPI41.CK_ATTRIBUTE a => (a.value, (long)a.valueLen),
            _ => (IntPtr.Zero, 0L),
        };
        // valueLen is -1 (all ones) when the token would not reveal the value: nothing was written then.
        if (pointer == IntPtr.Zero || length <= 0 || length > int.MaxValue) return;
        Marshal.Copy(new byte[length], 0, pointer, (int)length);
    }
}
