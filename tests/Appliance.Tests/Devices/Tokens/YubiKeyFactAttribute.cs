using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Appliance.Tests.Devices.Tokens;

/// <summary>
/// A test that needs a real YubiKey: opt-in with APPLIANCE_HW_TESTS=1, otherwise a visible skip in the
/// summary (never a silent pass). <paramref name="alsoRequires"/> names one more variable that must be "1"
/// (for the slow touch-timeout test).
/// </summary>
public sealed class YubiKeyFactAttribute : FactAttribute
{
    public const string Variable = "APPLIANCE_HW_TESTS";

    public YubiKeyFactAttribute(string? alsoRequires = null, [CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
            Skip = $"set {Variable}=1 with a YubiKey attached";
        else if (alsoRequires is not null && Environment.GetEnvironmentVariable(alsoRequires) != "1")
            Skip = $"set {alsoRequires}=1 as well (and do not touch the YubiKey) to run this slow test";
    }
}

/// <summary>Where the suite finds ykcs11 and the PIN.</summary>
public static class YubiKeyEnvironment
{
    public static string ModulePath =>
        Environment.GetEnvironmentVariable("APPLIANCE_YKCS11") is { Length: > 0 } path
            ? path
            : RuntimeInformation.ProcessArchitecture == Architecture.Arm64
                ? "/usr/lib/aarch64-linux-gnu/libykcs11.so"
                : "/usr/lib/x86_64-linux-gnu/libykcs11.so";

    /// <summary>APPLIANCE_HW_PIN_FILE: a file holding the YubiKey's PIV PIN (the suite never retries a wrong one).</summary>
    public static string PinFile =>
        Environment.GetEnvironmentVariable("APPLIANCE_HW_PIN_FILE") is { Length: > 0 } path
            ? path
            : throw new InvalidOperationException("APPLIANCE_HW_TESTS=1 also needs APPLIANCE_HW_PIN_FILE=/path/to/a/file/with/the/PIV/PIN.");
}
