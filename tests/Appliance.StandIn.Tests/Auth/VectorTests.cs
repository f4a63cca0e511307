using System.Net;

namespace Appliance.StandIn.Tests;

/// <summary>The stand-in accepts every independently computed vector token, for both algs, and acts on it.</summary>
public sealed class VectorTests
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
        await using var server = await TestExchange.StartAsync();
        server.AddKey(UpbitJwtVectors.AccessKey, UpbitJwtVectors.SecretKey);

        var response = await StandInClient.SendAsync(
            server, vector.Method, vector.Path, vector.UrlQuery, vector.Jwt(alg), vector.BodyJson);

        Assert.True(response.IsSuccess, response.Body);
        var accepted = Assert.Single(server.Accepted);
        Assert.Equal((int)response.Status, accepted.StatusCode);
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
        await using var server = await TestExchange.StartAsync();
        server.AddKey("other-access", "other-secret");
        server.AddKey(UpbitJwtVectors.AccessKey, UpbitJwtVectors.SecretKey);
        var other = HandMadeJwt.ForRequest("other-access", "other-secret", null, nonce: UpbitJwtVectors.Nonce);

        var first = await StandInClient.SendAsync(server, "GET", vector.Path, null, other);
        var second = await StandInClient.SendAsync(server, "GET", vector.Path, null, vector.JwtHs512);

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Equal(["other-access", UpbitJwtVectors.AccessKey], server.Accepted.Select(a => a.AccessKey));
    }

    [Fact]
    public async Task HandMadeTokenWithPercentEncodedSpecialsMatchesTheDecodedHash()
    {
        await using var server = await TestExchange.StartAsync();
        server.AddKey("k", "s");
        var jwt = HandMadeJwt.ForRequest("k", "s", "uuid=a b+c&identifier=x/y", "HS256");

        var response = await StandInClient.SendAsync(server, "DELETE", "/v1/order", "uuid=a%20b%2Bc&identifier=x%2Fy", jwt);

        // The token checks out (the business answer is Upbit's 404 for an unknown order, not a token error).
        Assert.Equal(UpbitErrorNames.OrderNotFound, response.ErrorName);
        var accepted = Assert.Single(server.Accepted);
        Assert.Equal([new("uuid", "a b+c"), new KeyValuePair<string, string>("identifier", "x/y")], accepted.Params);
        Assert.Equal((404, UpbitErrorNames.OrderNotFound), (accepted.StatusCode, accepted.ErrorName));
        Assert.Empty(server.Rejected);
    }
}
