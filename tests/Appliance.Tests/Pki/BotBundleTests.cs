using Appliance.Client;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Appliance.Pki;
using Appliance.Upbit;

namespace Appliance.Tests.Pki;

public class BotBundleTests
{
    private static readonly Uri Endpoint = new("https://192.168.1.20:50051");

    [Fact]
    public void WriteThenLoad_RoundTripsEverything()
    {
        using var dir = new TempDir();
        var bundleDir = dir.Combine("bundle");
        using var ca = ApplianceCa.Create("CA", TimeProvider.System);
        using var bot = ca.IssueBotCertificate("grid-bot");

        BotBundle.Write(bundleDir, Endpoint, "grid-bot", bot, ca.Certificate);
        using var loaded = ApplianceBundle.Load(bundleDir);

        Assert.Equal(Endpoint, loaded.Endpoint);
        Assert.Equal("grid-bot", loaded.Bot);
        Assert.Equal(bot.RawData, loaded.ClientCertificate.RawData);
        Assert.True(loaded.ClientCertificate.HasPrivateKey);
        Assert.Equal(ca.Certificate.RawData, loaded.CaCertificate.RawData);
        Assert.False(loaded.CaCertificate.HasPrivateKey);
        Assert.True(ChainValidator.IsIssuedBy(loaded.ClientCertificate, loaded.CaCertificate, CertificatePurpose.ClientAuth, DateTimeOffset.UtcNow, out var error), error);

        // The loaded key is the bot's key: it signs what the certificate's public key verifies.
        using var priv = loaded.ClientCertificate.GetECDsaPrivateKey()!;
        using var pub = bot.GetECDsaPublicKey()!;
        var signature = priv.SignData("hello"u8, HashAlgorithmName.SHA256);
        Assert.True(pub.VerifyData("hello"u8, signature, HashAlgorithmName.SHA256));

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(bundleDir, "bot.json")));
        Assert.Equal("https://192.168.1.20:50051", json.RootElement.GetProperty("endpoint").GetString());
        Assert.Equal("grid-bot", json.RootElement.GetProperty("bot").GetString());
        Assert.Equal(2, json.RootElement.EnumerateObject().Count());
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(Path.Combine(bundleDir, "bot.key")));

        PkiAssert.UnixMode(bundleDir, PkiAssert.Mode0700);
        PkiAssert.UnixMode(Path.Combine(bundleDir, "bot.key"), PkiAssert.Mode0600);
    }

    [Theory]
    [InlineData("https://appliance.local", "https://appliance.local:443")]
    [InlineData("https://[::1]:50051/", "https://[::1]:50051")]
    public void Write_SpellsTheEndpointAsHostAndPort(string given, string written)
    {
        using var dir = new TempDir();
        using var ca = ApplianceCa.Create("CA", TimeProvider.System);
        using var bot = ca.IssueBotCertificate("b");
        BotBundle.Write(dir.Path, new Uri(given), "b", bot, ca.Certificate);

        using var json = JsonDocument.Parse(File.ReadAllText(dir.Combine("bot.json")));
        Assert.Equal(written, json.RootElement.GetProperty("endpoint").GetString());
        using var loaded = ApplianceBundle.Load(dir.Path);
        Assert.Equal(new Uri(written), loaded.Endpoint);
    }

    [Theory]
    [InlineData("http://host:50051")]
    [InlineData("https://host:50051/path")]
    [InlineData("https://user@host:50051")]
    [InlineData("https://host:50051/?q=1")]
    public void Write_RejectsEndpointsThatAreNotHttpsHostPort(string endpoint)
    {
        using var dir = new TempDir();
        using var ca = ApplianceCa.Create("CA", TimeProvider.System);
        using var bot = ca.IssueBotCertificate("b");
        Assert.Throws<ArgumentException>(() => BotBundle.Write(dir.Path, new Uri(endpoint), "b", bot, ca.Certificate));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Write_RejectsACertificateWithoutItsKey()
    {
        using var dir = new TempDir();
        using var ca = ApplianceCa.Create("CA", TimeProvider.System);
        var e = Assert.Throws<ArgumentException>(() => BotBundle.Write(dir.Path, Endpoint, "b", ca.Certificate, ca.Certificate));
        Assert.Contains("private key", e.Message);
    }

    [Theory]
    [InlineData("bot.json")]
    [InlineData("ca.pem")]
    [InlineData("bot.pem")]
    [InlineData("bot.key")]
    public void Load_NamesTheMissingFile(string missing)
    {
        using var dir = WrittenBundle();
        File.Delete(dir.Combine(missing));

        var e = Assert.Throws<InvalidOperationException>(() => ApplianceBundle.Load(dir.Path));
        Assert.Contains($"{missing} is missing", e.Message);
        Assert.Contains("appliance bots", e.Message);
    }

    [Fact]
    public void Load_MissingDirectory_SaysSo()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<InvalidOperationException>(() => ApplianceBundle.Load(dir.Combine("absent")));
        Assert.Contains("does not exist", e.Message);
    }

    [Theory]
    [InlineData("not json", "is not valid JSON")]
    [InlineData("[]", "has no \"endpoint\"")]
    [InlineData("{\"bot\":\"b\"}", "has no \"endpoint\"")]
    [InlineData("{\"endpoint\":\"https://h:1\"}", "has no \"bot\"")]
    [InlineData("{\"endpoint\":5,\"bot\":\"b\"}", "has no \"endpoint\"")]
    [InlineData("{\"endpoint\":\"http://h:1\",\"bot\":\"b\"}", "must be https://host:port")]
    public void Load_BadManifest_SaysWhatIsWrong(string manifest, string expected)
    {
        using var dir = WrittenBundle();
        File.WriteAllText(dir.Combine("bot.json"), manifest);
        var e = Assert.Throws<InvalidOperationException>(() => ApplianceBundle.Load(dir.Path));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Load_KeyThatDoesNotMatchTheCertificate_IsRefused()
    {
        using var dir = WrittenBundle();
        using var ca = ApplianceCa.Create("CA", TimeProvider.System);
        using var other = ca.IssueBotCertificate("other");
        PemFiles.WritePrivateKey(dir.Combine("bot.key"), other);

        var e = Assert.Throws<InvalidOperationException>(() => ApplianceBundle.Load(dir.Path));
        Assert.Contains("bot.key is not a PEM private key matching", e.Message);
    }

    [Fact]
    public void Load_CorruptCaPem_IsRefused()
    {
        using var dir = WrittenBundle();
        File.WriteAllText(dir.Combine("ca.pem"), "garbage");
        var e = Assert.Throws<InvalidOperationException>(() => ApplianceBundle.Load(dir.Path));
        Assert.Contains("ca.pem is not a PEM certificate", e.Message);
    }

    private static TempDir WrittenBundle()
    {
        var dir = new TempDir();
        using var ca = ApplianceCa.Create("CA", TimeProvider.System);
        using var bot = ca.IssueBotCertificate("b");
        BotBundle.Write(dir.Path, Endpoint, "b", bot, ca.Certificate);
        return dir;
    }
}
