using System.Text;
using Appliance.Cli;

namespace Appliance.Tests.Cli;

/// <summary>A secret from standard input: one line, into locked memory, nothing after the line consumed.</summary>
public sealed class SecretInputTests
{
    private static CliIo Piped(byte[] bytes, out MemoryStream raw)
    {
        raw = new MemoryStream(bytes);
        return new CliIo(TextReader.Null, TextWriter.Null, TextWriter.Null, InputIsTerminal: false) { RawIn = raw };
    }

    [Theory]
    [InlineData("s3cret\nrest", "s3cret", 7)]
    [InlineData("s3cret\r\nrest", "s3cret", 8)]
    [InlineData("s3cret", "s3cret", 6)]
    [InlineData("시크릿\n", "시크릿", 10)]
    public void Piped_input_is_read_up_to_the_line_break_and_no_further(string input, string expected, int consumed)
    {
        var io = Piped(Encoding.UTF8.GetBytes(input), out var raw);
        using var secret = SecretInput.ReadLine(io, "");
        Assert.Equal(expected, Encoding.UTF8.GetString(secret.Span));
        Assert.Equal(consumed, raw.Position);
        Assert.True(!OperatingSystem.IsLinux() || secret.IsExcludedFromDumps);
    }

    [Fact]
    public void Piped_input_that_is_empty_too_long_or_not_UTF8_is_refused_with_the_fix()
    {
        Assert.Contains("No secret was given", Assert.Throws<ArgumentException>(() => SecretInput.ReadLine(Piped("\n"u8.ToArray(), out _), "")).Message);
        var tooLong = Encoding.ASCII.GetBytes(new string('a', SecretInput.MaxLength + 2));
        Assert.Contains("longer than", Assert.Throws<ArgumentException>(() => SecretInput.ReadLine(Piped(tooLong, out _), "")).Message);
        Assert.Contains("not valid UTF-8", Assert.Throws<ArgumentException>(() => SecretInput.ReadLine(Piped([0xff, 0xfe, (byte)'\n'], out _), "")).Message);
    }

    [Fact]
    public void A_text_reader_gives_the_same_UTF8_bytes()
    {
        var io = new CliIo(new StringReader("시크릿\r\nnext"), TextWriter.Null, TextWriter.Null, InputIsTerminal: false);
        using var secret = SecretInput.ReadLine(io, "");
        Assert.Equal(Encoding.UTF8.GetBytes("시크릿"), secret.Span.ToArray());
    }
}
