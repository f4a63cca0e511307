using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;
using Appliance.Common;

namespace Appliance.Cli;

/// <summary>
/// Reads a secret from standard input: never from argv or the environment, where other users
/// and shell history can see it. On a terminal the typing is not echoed. One line; the line
/// break is dropped. Every intermediate buffer is a locked native one (<see cref="SecretBytes"/>):
/// piped input goes from read(2) straight into it, bypassing the TextReader's buffers.
/// </summary>
public static class SecretInput
{
    public const int MaxLength = 1024;

    public static SecretBytes ReadLine(CliIo io, string prompt)
    {
        if (io.InputIsTerminal)
        {
            io.Error.Write(prompt);
            using var typed = SecretBytes.Allocate((MaxLength + 1) * sizeof(char));
            var chars = MemoryMarshal.Cast<byte, char>(typed.WritableSpan);
            var length = ReadWithoutEcho(chars);
            io.Error.WriteLine();
            return Encode(chars[..length]);
        }
        return io.RawIn is { } raw ? ReadRaw(raw) : ReadText(io.In);
    }

    /// <summary>Bytes up to the line break, read one at a time so nothing after the line is consumed.</summary>
    private static SecretBytes ReadRaw(Stream input)
    {
        using var line = SecretBytes.Allocate(MaxLength + 1);
        var bytes = line.WritableSpan;
        var length = 0;
        while (true)
        {
            if (length == bytes.Length) throw TooLong();
            if (input.Read(bytes.Slice(length, 1)) == 0 || bytes[length] == (byte)'\n') break;
            length++;
        }
        if (length > 0 && bytes[length - 1] == (byte)'\r') length--;
        if (length == 0) throw Missing();
        if (!Utf8.IsValid(bytes[..length]))
            throw new ArgumentException("The secret on standard input is not valid UTF-8; pipe only the secret key.");
        return SecretBytes.CopyFrom(bytes[..length]);
    }

    private static SecretBytes ReadText(TextReader input)
    {
        using var line = SecretBytes.Allocate((MaxLength + 1) * sizeof(char));
        var chars = MemoryMarshal.Cast<byte, char>(line.WritableSpan);
        var length = 0;
        int c;
        while ((c = input.Read()) >= 0 && c != '\n')
        {
            if (length == chars.Length) throw TooLong();
            chars[length++] = (char)c;
        }
        if (length > 0 && chars[length - 1] == '\r') length--;
        return Encode(chars[..length]);
    }

    private static SecretBytes Encode(ReadOnlySpan<char> chars)
    {
        if (chars.IsEmpty) throw Missing();
        var secret = SecretBytes.Allocate(Encoding.UTF8.GetByteCount(chars));
        Encoding.UTF8.GetBytes(chars, secret.WritableSpan);
        return secret;
    }

    private static int ReadWithoutEcho(Span<char> chars)
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

    private static ArgumentException TooLong() =>
        new($"The secret on standard input is longer than {MaxLength} characters; pipe only the secret key.");

    private static ArgumentException Missing() =>
        new("No secret was given on standard input; pipe it in (e.g. from your password manager) or type it at the prompt.");
}
