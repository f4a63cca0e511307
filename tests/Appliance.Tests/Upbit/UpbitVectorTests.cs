using System.Buffers.Text;
using System.Text;
using Appliance.Upbit;

namespace Appliance.Tests.Upbit;

public class UpbitVectorTests
{
    public static TheoryData<string> Names => UpbitVectors.CaseNames();

    [Fact]
    public void VectorFileHasTheExpectedCases() =>
        Assert.True(UpbitVectors.Cases.Count >= 7, $"only {UpbitVectors.Cases.Count} vector cases loaded");

    [Theory]
    [MemberData(nameof(Names))]
    public void VectorRequestPassesValidation(string name)
    {
        var c = UpbitVectors.Case(name);
        var endpoint = RequestValidator.Validate(c.Method, c.Path, c.Params);
        Assert.Equal(c.Method, endpoint.Method);
        Assert.Equal(c.Path, endpoint.Path);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void CanonicalStringsMatch(string name)
    {
        var c = UpbitVectors.Case(name);
        var request = CanonicalRequest.Build(Find(c), c.Params);

        Assert.Equal(c.QueryString, request.QueryString);
        if (c.Method == "POST")
        {
            Assert.Equal(c.BodyJson, request.BodyJson);
            Assert.Equal("", request.UrlQuery);
        }
        else
        {
            Assert.Equal(c.UrlQuery, request.UrlQuery);
            Assert.Equal("", request.BodyJson);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void QueryHashMatches(string name)
    {
        var c = UpbitVectors.Case(name);
        if (c.QueryHash is null)
            Assert.Equal("", c.QueryString);
        else
            Assert.Equal(c.QueryHash, UpbitJwt.QueryHash(c.QueryString));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void PayloadMatches(string name)
    {
        var c = UpbitVectors.Case(name);
        var jwt = Create(c, JwtAlgorithm.HS512);
        var payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(jwt.Split('.')[1]));
        Assert.Equal(c.PayloadJson, payload);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Hs256TokenMatches(string name)
    {
        var c = UpbitVectors.Case(name);
        Assert.Equal(c.JwtHs256, Create(c, JwtAlgorithm.HS256));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Hs512TokenMatches(string name)
    {
        var c = UpbitVectors.Case(name);
        Assert.Equal(c.JwtHs512, Create(c, JwtAlgorithm.HS512));
    }

    private static Endpoint Find(UpbitVectorCase c)
    {
        Assert.True(EndpointCatalog.Default.TryFind(c.Method, c.Path, out var endpoint), $"{c.Method} {c.Path} not in catalog");
        return endpoint;
    }

    private static string Create(UpbitVectorCase c, JwtAlgorithm alg)
    {
        var request = CanonicalRequest.Build(Find(c), c.Params);
        return UpbitJwt.Create(UpbitVectors.AccessKey, Encoding.UTF8.GetBytes(UpbitVectors.SecretKey),
            request.QueryString, UpbitVectors.Nonce, alg);
    }
}
