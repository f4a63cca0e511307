using System.Security.Cryptography;
using System.Text;
using Appliance.Common;

namespace Appliance.Cli;

/// <summary>
/// Reads a secret from standard input: never from argv or the environment, where other users
/// and shell history can see it. On a terminal the typing is not echoed. One line; the line
/// break is dropped. The intermediate char buffer is zeroed.
/// </summary>
public static class SecretInput
{
    public const int MaxLength = 1024;

    public static SecretBytes ReadLine(CliIo io, string prompt)
    {
        var chars = new char[MaxLength + 1];
        var length = 0;
        try
        {
            if (io.InputIsTerminal)
            {
                io.Error.Write(prompt);
                length = ReadWithoutEcho(chars);
                io.Error.WriteLine();
            }
            else
            {
                int c;
                while ((c = io.In.Read()) >= 0 && c != '\n')
                {
                    if (length == chars.Length)
                        throw new ArgumentException($"The secret on standard input is longer than {MaxLength} characters; pipe only the secret key.");
                    chars[length++] = (char)c;
                }
                if (length > 0 && chars[length - 1] == '\r') length--;
            }
            if (length == 0)
                throw new ArgumentException("No secret was given on standard input; pipe it in (e.g. from your password manager) or type it at the prompt.");
            var bytes = new byte[Encoding.UTF8.GetByteCount(chars, 0, length)];
            Encoding.UTF8.GetBytes(chars, 0, length, bytes, 0);
            return SecretBytes.TakeFrom(bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(chars.AsSpan()));
        }
    }

    private static int ReadWithoutEcho(char[] chars)
    {
        var length = 0;
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) return length;
            if (key.Key == ConsoleKey.Backspace) { if (length > 0) chars[--length] = '\0'; continue; }
            if (length == chars.Length - 1)
                throw new ArgumentException($"The secret is longer than {MaxLength} characters.");
            chars[length++] = key.KeyChar;
        }
    }
}
