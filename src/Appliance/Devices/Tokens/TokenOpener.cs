using Appliance.Common;
using Appliance.Config;
using Appliance.Token;

namespace Appliance.Devices.Tokens;

/// <summary>Opens the token named in token.json and checks it is the pinned one before anything is unsealed.</summary>
public static class TokenOpener
{
    public static IHardwareToken Open(DataDir data, string? pinFile)
    {
        var descriptor = TokenDescriptor.Load(data.TokenFile);
        IHardwareToken token = descriptor.Kind switch
        {
            TokenDescriptor.SoftwareKind => SoftwareToken.Load(data.SoftwareTokenFile),
            TokenDescriptor.Pkcs11Kind => OpenPkcs11(descriptor, pinFile),
            _ => throw new InvalidDataException($"token.json names an unknown token kind '{descriptor.Kind}'; run 'appliance init' again."),
        };
        try
        {
            descriptor.Verify(token);
            return token;
        }
        catch
        {
            token.Dispose();
            throw;
        }
    }

    private static Pkcs11Token OpenPkcs11(TokenDescriptor descriptor, string? pinFile)
    {
        if (string.IsNullOrEmpty(descriptor.Module))
            throw new InvalidDataException("token.json has no PKCS#11 module path; run 'appliance init' again.");
        using var pin = ReadPin(pinFile);
        return Pkcs11Token.Open(new Pkcs11TokenOptions(descriptor.Module, descriptor.Label, descriptor.Serial, pin));
    }

    /// <summary>The PIN comes from a file readable only by the service user, never from argv; it goes straight into locked memory.</summary>
    public static SecretBytes ReadPin(string? pinFile)
    {
        if (string.IsNullOrEmpty(pinFile))
            throw new ArgumentException("The token needs a PIN; pass --pin-file with a file (mode 0600) that holds it.");
        return SecretFile.Read(pinFile, "PIN");
    }
}
