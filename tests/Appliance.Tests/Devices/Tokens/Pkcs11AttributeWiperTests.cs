using Appliance.Token;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;
using Appliance.Devices.Tokens;

namespace Appliance.Tests.Devices.Tokens;

public sealed class Pkcs11AttributeWiperTests
{
    [Fact]
    public void ZeroesTheUnmanagedValue()
    {
        var factory = new Pkcs11InteropFactories().ObjectAttributeFactory;
        using var attribute = factory.Create(CKA.CKA_VALUE, Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        Assert.Contains(attribute.GetValueAsByteArray(), b => b != 0);

        Pkcs11AttributeWiper.Wipe(attribute);

        var after = attribute.GetValueAsByteArray();
        Assert.Equal(32, after.Length);
        Assert.All(after, b => Assert.Equal(0, b));
    }

    [Fact]
    public void LeavesAnEmptyValueAlone()
    {
        var factory = new Pkcs11InteropFactories().ObjectAttributeFactory;
        using var attribute = factory.Create(CKA.CKA_VALUE, Array.Empty<byte>());
        Pkcs11AttributeWiper.Wipe(attribute);
        Assert.Empty(attribute.GetValueAsByteArray() ?? []);
    }
}
