using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Appliance.Common;

/// <summary>
/// A text key as 128 bits of SHA-256: 16 bytes in a long-lived index instead of a string object (about 60–90
/// bytes for the ids kept here). Two keys can only collide by a SHA-256 collision.
/// </summary>
public readonly record struct Key128(ulong A, ulong B)
{
    public static Key128 Of(string text)
    {
        var bytes = Encoding.UTF8.GetByteCount(text);
        Span<byte> utf8 = bytes <= 512 ? stackalloc byte[bytes] : new byte[bytes];
        Encoding.UTF8.GetBytes(text, utf8);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(utf8, hash);
        return new Key128(BinaryPrimitives.ReadUInt64LittleEndian(hash), BinaryPrimitives.ReadUInt64LittleEndian(hash[8..]));
    }
}
