using System.Net;

namespace Appliance.Tests.FakeUpbit;

/// <summary>The referee accepts every independently computed vector token, for both algs.</summary>
public sealed class FakeUpbitVectorTests
{
    public static TheoryData<string, string> CasesTimesAlgs()
    {
        var data = new TheoryData<string, string>();
        foreach (var c in UpbitJwtVectors.Cases)
        {
            data.Add(c.Name, "HS256");
            data.Add(c.Name, "HS512");
        }

        return data;
    }

    [Fact]
    public void VectorFileHasTheCasesTheseTestsRelyOn()
    {
        var names = UpbitJwtVectors.Cases.Select(c => c.Name).ToList();
        Assert.Contains("post-limit-order", names);
        Assert.Contains("get-closed-orders-time", names);
        Assert.Contains("get-accounts-no-params", names);
        Assert.True(names.Count >= 7, $"expected at least 7 vector cases, found {names.Count}");
    }

    [Theory]
    [MemberData(nameof(CasesTimesAlgs))]
    public async Task AcceptsVectorToken(string caseName, string alg)
    {
        var vector = UpbitJwtVectors.Case(caseName);
        await using var server = await FakeUpbitServer.StartAsync();
        server.AddKey(UpbitJwtVectors.AccessKey, UpbitJwtVectors.SecretKey);

        var response = await FakeUpbitTestClient.SendAsync(
            server, vector.Method, vector.Path, vector.UrlQuery, vector.Jwt(alg), vector.BodyJson);

        Assert.True(response.Status == HttpStatusCode.OK, response.Body);
        Assert.Equal(vector.Params, response.EchoedParams);
        var accepted = Assert.Single(server.Accepted);
        Assert.Equal(vector.Method, accepted.Method);
        Assert.Equal(vector.Path, accepted.Path);
        Assert.Equal(vector.Params, accepted.Params);
        Assert.Equal(UpbitJwtVectors.AccessKey, accepted.AccessKey);
        Assert.Equal(alg, accepted.Alg);
        Assert.Equal(UpbitJwtVectors.Nonce, accepted.Nonce);
        Assert.Equal(vector.Params.Count == 0 ? null : HandMadeJwt.Sha512Hex(vector.QueryString), accepted.QueryHash);
        Assert.Empty(server.Rejected);
    }

    [Fact]
    public async Task SameNonceUnderAnotherKeyIsNotAReplay()
    {
        var vector = UpbitJwtVectors.Case("get-accounts-no-params");
        await using var server = await FakeUpbitServer.StartAsync();
        server.AddKey("other-access", "other-secret");
        server.AddKey(UpbitJwtVectors.AccessKey, UpbitJwtVectors.SecretKey);
        var other = HandMadeJwt.ForRequest("other-access", "other-secret", null, nonce: UpbitJwtVectors.Nonce);

        var first = await FakeUpbitTestClient.SendAsync(server, "GET", vector.Path, null, other);
        var second = await FakeUpbitTestClient.SendAsync(server, "GET", vector.Path, null, vector.JwtHs512);

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Equal(["other-access", UpbitJwtVectors.AccessKey], server.Accepted.Select(a => a.AccessKey));
    }

    [Fact]
    public async Task HandMadeTokenWithPercentEncodedSpecialsMatchesTheDecodedHash()
    {
        await using var server = await FakeUpbitServer.StartAsync();
        server.AddKey("k", "s");
        var jwt = HandMadeJwt.ForRequest("k", "s", "uuid=a b+c&identifier=x/y", "HS256");

        var response = await FakeUpbitTestClient.SendAsync(server, "DELETE", "/v1/order", "uuid=a%20b%2Bc&identifier=x%2Fy", jwt);

        Assert.True(response.Status == HttpStatusCode.OK, response.Body);
        Assert.Equal([new("uuid", "a b+c"), new KeyValuePair<string, string>("identifier", "x/y")], response.EchoedParams);
    }
}
