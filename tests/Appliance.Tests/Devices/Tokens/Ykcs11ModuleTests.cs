using Appliance.Token;
using Appliance.Devices.Tokens;

namespace Appliance.Tests.Devices.Tokens;

/// <summary>
/// Yubico's real ykcs11 module (Debian package ykcs11, installed by test.sh), loaded through
/// Pkcs11Interop with no YubiKey attached: the module loads (libdl mapping, C_Initialize) and the
/// appliance says plainly that no key is there. The tests with a YubiKey are the opt-in suite.
/// </summary>
[Collection(SoftHsmCollection.Name)]
public sealed class Ykcs11ModuleTests
{
    private static readonly string Module = OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64
        ? "/usr/lib/aarch64-linux-gnu/libykcs11.so"
        : "/usr/lib/x86_64-linux-gnu/libykcs11.so";

    [Fact]
    public void Without_a_YubiKey_open_fails_with_a_message_that_says_so()
    {
        Assert.True(File.Exists(Module), $"{Module} is missing: install ykcs11 (apt-get install -y ykcs11), as ./test.sh does.");
        using var pin = SoftHsmFixture.Pin("123456");
        var e = Assert.ThrowsAny<Exception>(() => Pkcs11Token.Open(new Pkcs11TokenOptions(Module, null, null, pin)));
        Assert.True(e is InvalidOperationException, $"{e.GetType().Name}: {e.Message}");
        Assert.DoesNotContain("123456", e.Message);
        Assert.Contains("plugged in", e.Message);
    }
}
