using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;
using ISession = Net.Pkcs11Interop.HighLevelAPI.ISession; // not ASP.NET Core's ISession (implicit using)
using Net.Pkcs11Interop.HighLevelAPI.Factories;
using Appliance.Token;

namespace Appliance.Devices.Tokens;

/// <summary>An attribute template; the attributes hold unmanaged memory, so the template is disposable.</summary>
internal sealed class Pkcs11Template(ISession session) : IDisposable
{
    private readonly IObjectAttributeFactory _factory = session.Factories.ObjectAttributeFactory;

    public List<IObjectAttribute> Attributes { get; } = [];

    public static Pkcs11Template ForObject(ISession session, CKO objectClass, KeySlot slot) =>
        new Pkcs11Template(session).Add(CKA.CKA_CLASS, objectClass).Add(CKA.CKA_ID, [(byte)slot]);

    public Pkcs11Template Add(CKA type, CKO value) => Add(_factory.Create(type, value));
    public Pkcs11Template Add(CKA type, CKK value) => Add(_factory.Create(type, value));
    public Pkcs11Template Add(CKA type, bool value) => Add(_factory.Create(type, value));
    public Pkcs11Template Add(CKA type, ulong value) => Add(_factory.Create(type, value));
    public Pkcs11Template Add(CKA type, string value) => Add(_factory.Create(type, value));
    public Pkcs11Template Add(CKA type, byte[] value) => Add(_factory.Create(type, value));

    private Pkcs11Template Add(IObjectAttribute attribute)
    {
        Attributes.Add(attribute);
        return this;
    }

    public void Dispose()
    {
        foreach (var attribute in Attributes) attribute.Dispose();
        Attributes.Clear();
    }
}
