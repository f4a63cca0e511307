using System.Text;
using Appliance.Sealing;
using Appliance.Token;
using Appliance.Devices.Tokens;

namespace Appliance.Tests.Sealing;

public sealed class CredentialStoreTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly SoftwareToken _token = SoftwareToken.Create();

    public void Dispose()
    {
        _token.Dispose();
        _dir.Dispose();
    }

    private SealedCredential Seal(string name = "main", byte[]? secret = null, string[]? scopes = null)
    {
        var meta = Samples.Metadata(name, scopes: scopes);
        return CredentialSealer.Seal(meta, _token.GetPublicKey(meta.Slot), secret ?? Samples.Secret);
    }

    [Fact]
    public void Add_WritesPrivateFileThatUnsealsAndHoldsNoSecret()
    {
        var store = new CredentialStore(_dir.Path);
        store.Add(Seal());

        var path = Path.Combine(_dir.Path, "credentials", "main.sealed.json");
        Assert.Equal(path, store.PathFor("main"));
        var raw = File.ReadAllBytes(path);
        Assert.Equal(-1, raw.AsSpan().IndexOf(Samples.Secret));
        var text = Encoding.UTF8.GetString(raw);
        Assert.DoesNotContain(Convert.ToBase64String(Samples.Secret), text);
        Assert.DoesNotContain(Convert.ToHexString(Samples.Secret), text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("kR7pQ2vX9mZ4", text); // a prefix, in case of a partial leak
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(store.Directory));
        }

        var loaded = store.TryGet("main");
        Assert.NotNull(loaded);
        using var secret = CredentialSealer.Unseal(loaded, _token);
        Assert.Equal(Samples.Secret, secret.Span.ToArray());
    }

    [Fact]
    public void Add_RefusesAnExistingNameAndPointsToRotate()
    {
        var store = new CredentialStore(_dir.Path);
        var first = Seal();
        store.Add(first);
        var e = Assert.Throws<InvalidOperationException>(() => store.Add(Seal(secret: "other"u8.ToArray())));
        Assert.Contains("credentials rotate main", e.Message);
        Assert.Equal(first, store.TryGet("main"));
    }

    [Fact]
    public void Replace_SwapsTheEnvelopeAndLeavesNoTempFiles()
    {
        var store = new CredentialStore(_dir.Path);
        store.Add(Seal());
        var rotated = Seal(secret: "rotated-secret"u8.ToArray(), scopes: ["view-assets"]);
        store.Replace(rotated);

        var loaded = store.TryGet("main")!;
        Assert.Equal(rotated, loaded);
        using var secret = CredentialSealer.Unseal(loaded, _token);
        Assert.Equal("rotated-secret"u8.ToArray(), secret.Span.ToArray());
        Assert.Equal(["main.sealed.json"], Directory.GetFiles(store.Directory).Select(Path.GetFileName));
    }

    [Fact]
    public void Replace_RefusesAnUnknownNameAndPointsToAdd()
    {
        var store = new CredentialStore(_dir.Path);
        var e = Assert.Throws<InvalidOperationException>(() => store.Replace(Seal()));
        Assert.Contains("credentials add main", e.Message);
        Assert.Null(store.TryGet("main"));
    }

    [Fact]
    public void Remove_DeletesAndRefusesUnknown()
    {
        var store = new CredentialStore(_dir.Path);
        store.Add(Seal());
        store.Remove("main");
        Assert.Null(store.TryGet("main"));
        Assert.False(store.Exists("main"));
        var e = Assert.Throws<InvalidOperationException>(() => store.Remove("main"));
        Assert.Contains("credentials list", e.Message);
    }

    [Fact]
    public void List_IsSortedByNameAndSkipsForeignFiles()
    {
        var store = new CredentialStore(_dir.Path);
        Assert.Empty(store.List()); // no directory yet
        store.Add(Seal("zeta"));
        store.Add(Seal("alpha"));
        store.Add(Seal("mid"));
        File.WriteAllText(Path.Combine(store.Directory, ".mid.sealed.json.123.tmp"), "partial");
        File.WriteAllText(Path.Combine(store.Directory, "README"), "hello");
        File.WriteAllText(Path.Combine(store.Directory, "Bad Name.sealed.json"), "{}");

        Assert.Equal(["alpha", "mid", "zeta"], store.List().Select(c => c.Name));
    }

    [Fact]
    public void TryGet_RefusesAFileCopiedOverAnotherName()
    {
        var store = new CredentialStore(_dir.Path);
        store.Add(Seal("trade"));
        store.Add(Seal("vault"));
        File.Copy(store.PathFor("vault"), store.PathFor("trade"), overwrite: true);

        var e = Assert.Throws<FormatException>(() => store.TryGet("trade"));
        Assert.Contains("holds credential 'vault'", e.Message);
        Assert.Throws<FormatException>(() => store.List());
    }

    [Fact]
    public void TryGet_ReportsAMalformedFileWithItsPath()
    {
        var store = new CredentialStore(_dir.Path);
        store.Add(Seal());
        File.WriteAllText(store.PathFor("main"), "{\"v\":1}");
        var e = Assert.Throws<FormatException>(() => store.TryGet("main"));
        Assert.Contains(store.PathFor("main"), e.Message);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("Main")]
    [InlineData("")]
    public void BadNamesAreArgumentErrors(string name)
    {
        var store = new CredentialStore(_dir.Path);
        Assert.Throws<ArgumentException>(() => store.TryGet(name));
        Assert.Throws<ArgumentException>(() => store.Remove(name));
    }
}
