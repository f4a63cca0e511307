using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Appliance.Upbit;

namespace Appliance.Tests.Upbit;

public class UpbitJwtTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("test-secret");
    private static readonly Guid Nonce = Guid.Parse("00000000-0000-4000-8000-000000000000");

    private static string Part(string jwt, int index) => Encoding.UTF8.GetString(Base64Url.DecodeFromChars(jwt.Split('.')[index]));

    [Theory]
    [InlineData(JwtAlgorithm.HS512, "HS512")]
    [InlineData(JwtAlgorithm.HS256, "HS256")]
    public void HeaderNamesTheAlgorithm(JwtAlgorithm alg, string name)
    {
        var jwt = UpbitJwt.Create("ak", Secret, "a=b", Nonce, alg);
        Assert.Equal($$"""{"alg":"{{name}}","typ":"JWT"}""", Part(jwt, 0));
    }

    [Fact]
    public void SignatureIsHmacOfHeaderDotPayloadWithRawSecretBytes()
    {
        var jwt = UpbitJwt.Create("ak", Secret, "a=b", Nonce, JwtAlgorithm.HS512);
        var parts = jwt.Split('.');
        var expected = HMACSHA512.HashData(Secret, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
        Assert.Equal(Base64Url.EncodeToString(expected), parts[2]);
        Assert.DoesNotContain('=', jwt);
    }

    [Fact]
    public void DifferentSecretsGiveDifferentSignatures()
    {
        var a = UpbitJwt.Create("ak", Secret, "a=b", Nonce, JwtAlgorithm.HS256);
        var b = UpbitJwt.Create("ak", Encoding.UTF8.GetBytes("test-secreT"), "a=b", Nonce, JwtAlgorithm.HS256);
        Assert.NotEqual(a.Split('.')[2], b.Split('.')[2]);
        Assert.Equal(a.Split('.')[1], b.Split('.')[1]);
    }

    [Fact]
    public void EmptyQueryOmitsQueryHashClaims()
    {
        var payload = Part(UpbitJwt.Create("ak", Secret, "", Nonce, JwtAlgorithm.HS512), 1);
        Assert.Equal("""{"access_key":"ak","nonce":"00000000-0000-4000-8000-000000000000"}""", payload);
    }

    [Fact]
    public void WebSocketTokenHasOnlyAccessKeyAndNonce()
    {
        var nonce = Guid.Parse("ABCDEF00-0000-4000-8000-00000000000A");
        var payload = Part(UpbitJwt.CreateForWebSocket("ak", Secret, nonce, JwtAlgorithm.HS256), 1);
        Assert.Equal("""{"access_key":"ak","nonce":"abcdef00-0000-4000-8000-00000000000a"}""", payload);
    }

    [Fact]
    public void QueryHashIsSha512OfUtf8()
    {
        Assert.Equal(Convert.ToHexStringLower(SHA512.HashData(Encoding.UTF8.GetBytes("a=é"))), UpbitJwt.QueryHash("a=é"));
        Assert.Equal(128, UpbitJwt.QueryHash("x").Length);
    }

    [Fact]
    public void PayloadClaimsAreInUpbitsOrder()
    {
        using var doc = JsonDocument.Parse(Part(UpbitJwt.Create("ak", Secret, "a=b", Nonce, JwtAlgorithm.HS512), 1));
        var names = doc.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(["access_key", "nonce", "query_hash", "query_hash_alg"], names);
        Assert.Equal("SHA512", doc.RootElement.GetProperty("query_hash_alg").GetString());
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => UpbitJwt.Create("", Secret, "a=b", Nonce, JwtAlgorithm.HS512));
        Assert.Throws<ArgumentException>(() => UpbitJwt.Create("ak", ReadOnlySpan<byte>.Empty, "a=b", Nonce, JwtAlgorithm.HS512));
        Assert.Throws<ArgumentOutOfRangeException>(() => UpbitJwt.Create("ak", Secret, "a=b", Nonce, (JwtAlgorithm)7));
    }

    [Theory]
    [InlineData("HS512", JwtAlgorithm.HS512)]
    [InlineData("HS256", JwtAlgorithm.HS256)]
    public void AlgorithmParsesAndRoundTrips(string text, JwtAlgorithm alg)
    {
        Assert.Equal(alg, JwtAlgorithms.Parse(text));
        Assert.Equal(text, JwtAlgorithms.ToWire(alg));
    }

    [Theory]
    [InlineData("hs512")]
    [InlineData("HS384")]
    [InlineData("none")]
    [InlineData("")]
    public void UnknownAlgorithmIsRejectedWithTheChoices(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => JwtAlgorithms.Parse(text));
        Assert.Contains("HS512 or HS256", error.Message);
    }

    [Fact]
    public void FreshNoncesAreDistinctVersion4()
    {
        // The pipeline's nonce: Guid.NewGuid() is a random version-4 UUID.
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        Assert.NotEqual(a, b);
        Assert.Equal(4, a.Version);
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", UpbitJwt.FormatNonce(a));
    }
}
