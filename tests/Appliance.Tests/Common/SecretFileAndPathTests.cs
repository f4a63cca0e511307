using Appliance.Common;
using Appliance.Tests.Support;

namespace Appliance.Tests.Common;

/// <summary>Secret files read straight into locked pages; "inside the data dir" judged after links.</summary>
public sealed class SecretFileAndPathTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("123456\n", "123456")]
    [InlineData("123456\r\n", "123456")]
    [InlineData("12 34 56  \n\n", "12 34 56")]
    public void A_secret_file_loses_only_its_trailing_line_breaks_and_spaces(string content, string expected)
    {
        var path = _dir.Sub("pin");
        File.WriteAllText(path, content);
        using var secret = SecretFile.Read(path, "PIN");
        Assert.Equal(expected, System.Text.Encoding.ASCII.GetString(secret.Span));
        Assert.True(!OperatingSystem.IsLinux() || secret.IsExcludedFromDumps);
    }

    [Fact]
    public void A_missing_empty_or_oversized_file_is_refused_with_the_fix()
    {
        var missing = Assert.Throws<FileNotFoundException>(() => SecretFile.Read(_dir.Sub("none"), "PIN"));
        Assert.Equal($"The PIN file {_dir.Sub("none")} does not exist; create it with mode 0600.", missing.Message);

        File.WriteAllText(_dir.Sub("empty"), "\n");
        var empty = Assert.Throws<ArgumentException>(() => SecretFile.Read(_dir.Sub("empty"), "PIN"));
        Assert.Contains("is empty; write the PIN into it", empty.Message);

        File.WriteAllBytes(_dir.Sub("big"), new byte[SecretFile.MaxLength + 1]);
        var big = Assert.Throws<ArgumentException>(() => SecretFile.Read(_dir.Sub("big"), "management key"));
        Assert.Contains($"larger than {SecretFile.MaxLength} bytes", big.Message);
    }

    [Fact]
    public void Containment_follows_links_and_does_not_match_a_mere_prefix()
    {
        var data = _dir.Sub("data");
        Directory.CreateDirectory(Path.Combine(data, "bundles"));
        Directory.CreateDirectory(_dir.Sub("data-other"));
        Directory.CreateSymbolicLink(_dir.Sub("via"), data);
        Directory.CreateSymbolicLink(_dir.Sub("relative"), "data/bundles");

        Assert.True(PathContainment.IsWithin(data, data));
        Assert.True(PathContainment.IsWithin(Path.Combine(data, "bundles", "new", "deeper"), data));
        Assert.True(PathContainment.IsWithin(Path.Combine(_dir.Sub("via"), "x"), data));
        Assert.True(PathContainment.IsWithin(Path.Combine(_dir.Sub("relative"), "x"), data));
        Assert.True(PathContainment.IsWithin(Path.Combine(_dir.Sub("data-other"), "..", "data", "x"), data));
        Assert.False(PathContainment.IsWithin(_dir.Sub("data-other"), data));
        Assert.False(PathContainment.IsWithin(_dir.Path, data));
        Assert.False(PathContainment.IsWithin(Path.Combine(_dir.Sub("nowhere"), "x"), data));
        // The data dir itself behind a link: a bundle beside the link is outside, one through it inside.
        Assert.True(PathContainment.IsWithin(Path.Combine(data, "bundles"), _dir.Sub("via")));
    }
}
