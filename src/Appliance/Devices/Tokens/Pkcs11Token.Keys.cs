using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;
using Appliance.Token;
using ISession = Net.Pkcs11Interop.HighLevelAPI.ISession; // not ASP.NET Core's ISession (implicit using)

namespace Appliance.Devices.Tokens;

public sealed partial class Pkcs11Token
{
    private const int SharedSecretLength = 32;
    private const int SignatureLength = 64;

    /// <summary>True when the slot holds a private key.</summary>
    public bool HasKey(KeySlot slot) =>
        WithSession(slot, "Looking for the key", session => FindOne(session, CKO.CKO_PRIVATE_KEY, slot) is not null);

    /// <summary>
    /// The public point from the public key object, or, when the module exposes only a certificate for
    /// the slot (ykcs11 may), from the certificate.
    /// </summary>
    public byte[] GetPublicKey(KeySlot slot) => WithSession(slot, "Reading the public key", session =>
    {
        if (FindOne(session, CKO.CKO_PUBLIC_KEY, slot) is { } publicKey)
            return Pkcs11EcPoint.FromEcPointAttribute(ReadAttribute(session, publicKey, CKA.CKA_EC_POINT));
        if (FindOne(session, CKO.CKO_CERTIFICATE, slot) is { } certificate)
            return Pkcs11EcPoint.FromCertificate(ReadAttribute(session, certificate, CKA.CKA_VALUE));
        throw Pkcs11Errors.MissingKey(slot);
    });

    public byte[] DeriveSharedSecret(KeySlot slot, ReadOnlySpan<byte> peerPublicPoint)
    {
        Pkcs11EcPoint.RequireValidP256(peerPublicPoint, nameof(peerPublicPoint));
        // ykcs11 wants the bare 65-byte point here, not the DER OCTET STRING; SoftHSM2 accepts both.
        var peer = peerPublicPoint.ToArray();
        return WithSession(slot, "ECDH", session =>
        {
            var privateKey = FindOne(session, CKO.CKO_PRIVATE_KEY, slot) ?? throw Pkcs11Errors.MissingKey(slot);
            var factories = session.Factories;
            using var parameters = factories.MechanismParamsFactory.CreateCkEcdh1DeriveParams((ulong)CKD.CKD_NULL, null, peer);
            using var mechanism = factories.MechanismFactory.Create(CKM.CKM_ECDH1_DERIVE, parameters);
            using var template = new Pkcs11Template(session)
                .Add(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY)
                .Add(CKA.CKA_KEY_TYPE, CKK.CKK_GENERIC_SECRET)
                .Add(CKA.CKA_TOKEN, false)
                .Add(CKA.CKA_SENSITIVE, false)
                .Add(CKA.CKA_EXTRACTABLE, true)
                .Add(CKA.CKA_VALUE_LEN, (ulong)SharedSecretLength);
            IObjectHandle? derived = null;
            try
            {
                derived = session.DeriveKey(mechanism, privateKey, template.Attributes);
                var secret = ReadAttribute(session, derived, CKA.CKA_VALUE, isSecret: true);
                if (secret.Length != SharedSecretLength)
                {
                    CryptographicOperations.ZeroMemory(secret);
                    throw new InvalidOperationException(
                        $"ECDH with {Pkcs11Errors.Describe(slot)} returned {secret.Length} bytes instead of {SharedSecretLength}; is the key P-256?");
                }
                return secret;
            }
            finally
            {
                if (derived is not null)
                {
                    try { session.DestroyObject(derived); }
                    catch (Pkcs11Exception) { /* a session object; it dies with the session anyway */ }
                }
            }
        });
    }

    public byte[] SignDigest(KeySlot slot, ReadOnlySpan<byte> sha256Digest)
    {
        if (sha256Digest.Length != SHA256.HashSizeInBytes)
            throw new ArgumentException($"Expected a 32-byte SHA-256 digest, got {sha256Digest.Length} bytes.", nameof(sha256Digest));
        var digest = sha256Digest.ToArray();
        return WithSession(slot, "Signing", session =>
        {
            var privateKey = FindOne(session, CKO.CKO_PRIVATE_KEY, slot) ?? throw Pkcs11Errors.MissingKey(slot);
            using var mechanism = session.Factories.MechanismFactory.Create(CKM.CKM_ECDSA);
            var signature = session.Sign(mechanism, privateKey, digest);
            if (signature.Length != SignatureLength)
                throw new InvalidOperationException(
                    $"Signing with {Pkcs11Errors.Describe(slot)} returned {signature.Length} bytes instead of r || s (64); is the key P-256?");
            return signature;
        });
    }

    /// <summary>
    /// Generates a P-256 key pair in the slot on the token (SoftHSM2; YubiKeys are set up with
    /// yubico-piv-tool because ykcs11 cannot set PIN and touch policies). Refuses to overwrite a key.
    /// Returns the uncompressed public point.
    /// </summary>
    public byte[] GenerateKeyPair(KeySlot slot) => WithSession(slot, "Generating a key", session =>
    {
        if (FindOne(session, CKO.CKO_PRIVATE_KEY, slot) is not null || FindOne(session, CKO.CKO_PUBLIC_KEY, slot) is not null)
            throw new InvalidOperationException(
                $"{Pkcs11Errors.Describe(slot)} already holds a key; refusing to replace it (credentials sealed to it would be lost). Delete it on the token first if you really mean to.");
        var label = $"appliance-{slot.PivName()}";
        using var mechanism = session.Factories.MechanismFactory.Create(CKM.CKM_EC_KEY_PAIR_GEN);
        using var publicTemplate = Pkcs11Template.ForObject(session, CKO.CKO_PUBLIC_KEY, slot)
            .Add(CKA.CKA_KEY_TYPE, CKK.CKK_EC)
            .Add(CKA.CKA_TOKEN, true)
            .Add(CKA.CKA_PRIVATE, false)
            .Add(CKA.CKA_VERIFY, true)
            .Add(CKA.CKA_EC_PARAMS, Pkcs11EcPoint.P256Params)
            .Add(CKA.CKA_LABEL, label);
        using var privateTemplate = Pkcs11Template.ForObject(session, CKO.CKO_PRIVATE_KEY, slot)
            .Add(CKA.CKA_KEY_TYPE, CKK.CKK_EC)
            .Add(CKA.CKA_TOKEN, true)
            .Add(CKA.CKA_PRIVATE, true)
            .Add(CKA.CKA_SENSITIVE, true)
            .Add(CKA.CKA_EXTRACTABLE, false)
            .Add(CKA.CKA_DERIVE, true)
            .Add(CKA.CKA_SIGN, true)
            .Add(CKA.CKA_LABEL, label);
        session.GenerateKeyPair(mechanism, publicTemplate.Attributes, privateTemplate.Attributes, out var publicKey, out _);
        return Pkcs11EcPoint.FromEcPointAttribute(ReadAttribute(session, publicKey, CKA.CKA_EC_POINT));
    });

    private T WithSession<T>(KeySlot slot, string operation, Func<ISession, T> action)
    {
        _ = Pkcs11Errors.Describe(slot); // rejects slots outside KeySlot before touching the token
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                return action(_session);
            }
            catch (Pkcs11Exception e)
            {
                throw Pkcs11Errors.OperationFailed(operation, slot, e);
            }
        }
    }

    private static IObjectHandle? FindOne(ISession session, CKO objectClass, KeySlot slot)
    {
        using var template = Pkcs11Template.ForObject(session, objectClass, slot);
        var found = session.FindAllObjects(template.Attributes);
        return found.Count switch
        {
            0 => null,
            1 => found[0],
            _ => throw new InvalidOperationException(
                $"{Pkcs11Errors.Describe(slot)} holds {found.Count} objects of class {objectClass}; remove the extra ones so the key is unambiguous."),
        };
    }

    private static byte[] ReadAttribute(ISession session, IObjectHandle handle, CKA type, bool isSecret = false)
    {
        var attributes = session.GetAttributeValue(handle, [type]);
        try
        {
            var attribute = attributes[0];
            if (attribute.CannotBeRead)
                throw new InvalidOperationException($"The token will not reveal {type} of this object; check the module's configuration.");
            return attribute.GetValueAsByteArray();
        }
        finally
        {
            foreach (var attribute in attributes)
            {
                if (isSecret) Pkcs11AttributeWiper.Wipe(attribute);
                attribute.Dispose();
            }
        }
    }
}
