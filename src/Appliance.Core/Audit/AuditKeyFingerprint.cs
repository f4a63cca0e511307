using System.Security.Cryptography;
using System.Text;

namespace Appliance.Audit;

/// <summary>
/// The audit key's fingerprint: SHA-256 of its 65-byte uncompressed P-256 point (0x04 || X || Y), as 64
/// lower-case hex digits shown in 16 groups of 4. <c>appliance init</c> prints it for the operator to
/// write down; <c>audit verify --key</c> checks token.json's key against it, because token.json sits in
/// the same writable directory as the log and whoever can rewrite the log can rewrite it too.
/// </summary>
public static class AuditKeyFingerprint
{
    public const int HexDigits = 64;

    public static string Of(ReadOnlySpan<byte> publicPoint)
    {
        if (publicPoint.Length != 65 || publicPoint[0] != 0x04)
            throw new ArgumentException("An audit key is a 65-byte uncompressed P-256 point.", nameof(publicPoint));
        return Group(Convert.ToHexStringLower(SHA256.HashData(publicPoint)));
    }

    /// <summary>
    /// Reads a fingerprint as an operator types it: the 64 hex digits, any case, with spaces, colons or
    /// dashes anywhere. Throws ArgumentException naming what is wrong.
    /// </summary>
    public static string Parse(string text)
    {
        var digits = new StringBuilder(HexDigits);
        foreach (var c in text ?? "")
        {
            if (c is ' ' or ':' or '-' or '\t') continue;
            if (!char.IsAsciiHexDigit(c))
                throw new ArgumentException("--key must be the audit key fingerprint that 'appliance init' printed: 64 hex digits (spaces allowed).");
            digits.Append(char.ToLowerInvariant(c));
        }
        if (digits.Length != HexDigits)
            throw new ArgumentException($"--key has {digits.Length} hex digits; the fingerprint 'appliance init' printed has {HexDigits} (16 groups of 4).");
        return Group(digits.ToString());
    }

    private static string Group(string hex) => string.Join(' ', Enumerable.Range(0, hex.Length / 4).Select(i => hex.Substring(i * 4, 4)));
}
