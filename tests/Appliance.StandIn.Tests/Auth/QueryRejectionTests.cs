using System.Net;
using static Appliance.StandIn.Tests.TokenRejectionTests;

namespace Appliance.StandIn.Tests;

/// <summary>The stand-in ties the token to the exact parameters and refuses malformed requests.</summary>
public sealed class QueryRejectionTests
{
    private static readonly UpbitJwtVectorCase OpenOrders = UpbitJwtVectors.Case("get-open-orders-array");
    private static readonly UpbitJwtVectorCase ClosedOrders = UpbitJwtVectors.Case("get-closed-orders-time");
    private static readonly UpbitJwtVectorCase PostOrder = UpbitJwtVectors.Case("post-limit-order");

    [Theory]
    [InlineData("extra param", "market=KRW-BTC&states[]=wait&states[]=watch&limit=10&page=2")]
    [InlineData("missing param", "market=KRW-BTC&states[]=wait&states[]=watch")]
    [InlineData("reordered", "states[]=wait&states[]=watch&market=KRW-BTC&limit=10")]
    [InlineData("array items reordered", "market=KRW-BTC&states[]=watch&states[]=wait&limit=10")]
    [InlineData("different value", "market=KRW-ETH&states[]=wait&states[]=watch&limit=10")]
    [InlineData("no query at all", "")]
    public async Task TamperedQueryIsInvalidQueryPayload(string what, string wireQuery)
    {
        await using var server = await StartWith(UpbitJwtVectors.AccessKey, UpbitJwtVectors.SecretKey);

        var response = await StandInClient.SendAsync(server, "GET", OpenOrders.Path, wireQuery, OpenOrders.JwtHs512);

        Assert.True(response.ErrorName == UpbitErrorNames.InvalidQueryPayload, $"{what}: {response.Body}");
        AssertRejected(server, response, HttpStatusCode.Unauthorized, UpbitErrorNames.InvalidQueryPayload);
    }

    [Theory]
    [InlineData("different price", "{\"market\":\"KRW-BTC\",\"side\":\"bid\",\"volume\":\"0.01\",\"price\":\"100000001\",\"ord_type\":\"limit\"}")]
    [InlineData("reordered keys", "{\"side\":\"bid\",\"market\":\"KRW-BTC\",\"volume\":\"0.01\",\"price\":\"100000000\",\"ord_type\":\"limit\"}")]
    [InlineData("extra key", "{\"market\":\"KRW-BTC\",\"side\":\"bid\",\"volume\":\"0.01\",\"price\":\"100000000\",\"ord_type\":\"limit\",\"identifier\":\"x\"}")]
    [InlineData("number instead of string", "{\"market\":\"KRW-BTC\",\"side\":\"bid\",\"volume\":0.010,\"price\":\"100000000\",\"ord_type\":\"limit\"}")]
    public async Task PostBodyDifferentFromHashedOneIsInvalidQueryPayload(string what, string body)
    {
        await using var server = await StartWith(UpbitJwtVectors.AccessKey, UpbitJwtVectors.SecretKey);

        var response = await StandInClient.SendAsync(server, "POST", PostOrder.Path, null, PostOrder.JwtHs256, body);

        Assert.True(response.ErrorName == UpbitErrorNames.InvalidQueryPayload, $"{what}: {response.Body}");
    }

    [Fact]
    public async Task NumbersAreHashedAsTheirRawJsonText()
    {
        await using var server = await StartWith("k", "s");
        var jwt = HandMadeJwt.ForRequest("k", "s", "market=KRW-BTC&volume=0.010&states[]=wait&states[]=1&flag=true&memo=");

        var response = await StandInClient.SendAsync(
            server, "POST", "/v1/orders", null, jwt, "{\"market\":\"KRW-BTC\",\"volume\":0.010,\"states\":[\"wait\",1],\"flag\":true,\"memo\":null}");

        // The token matched the body (accepted); the order itself lacks a side, which is the exchange's business.
        Assert.Empty(server.Rejected);
        var accepted = Assert.Single(server.Accepted);
        Assert.Equal(("side is missing, side does not have a valid value", UpbitErrorNames.ValidationError), (response.Json().GetProperty("error").GetProperty("message").GetString(), accepted.ErrorName));
    }

    [Theory]
    [InlineData("colon", "market=KRW-BTC&state=done&start_time=2024-01-01T00:00:00%2B09%3A00&limit=100")]
    [InlineData("plus", "market=KRW-BTC&state=done&start_time=2024-01-01T00%3A00%3A00+09%3A00&limit=100")]
    [InlineData("bracket in value", "market=KRW-BTC&state=done&start_time=[2024-01-01T00%3A00%3A00%2B09%3A00]&limit=100")]
    [InlineData("bad percent", "market=KRW-BTC&state=done&start_time=2024-01-01T00%3A00%3A00%2B09%3&limit=100")]
    [InlineData("non-hex percent", "market=KRW-BTC&state=done&start_time=2024-01-01T00%G0%3A00%2B09%3A00&limit=100")]
    [InlineData("empty pair", "market=KRW-BTC&&state=done&start_time=2024-01-01T00%3A00%3A00%2B09%3A00&limit=100")]
    public async Task UnencodedWireCharacterIsInvalidParameterAndDoesNotBurnTheNonce(string what, string wireQuery)
    {
        await using var server = await StartWith(UpbitJwtVectors.AccessKey, UpbitJwtVectors.SecretKey);

        var bad = await StandInClient.SendAsync(server, "GET", ClosedOrders.Path, wireQuery, ClosedOrders.JwtHs512);
        var good = await StandInClient.SendAsync(server, "GET", ClosedOrders.Path, ClosedOrders.UrlQuery, ClosedOrders.JwtHs512);

        Assert.True(bad.Status == HttpStatusCode.BadRequest && bad.ErrorName == UpbitErrorNames.InvalidParameter, $"{what}: {bad.Body}");
        Assert.True(good.Status == HttpStatusCode.OK, good.Body);
    }

    [Fact]
    public async Task FormPostIsValidationError()
    {
        await using var server = await StartWith("k", "s");
        var jwt = HandMadeJwt.ForRequest("k", "s", "market=KRW-BTC&side=bid");

        var response = await StandInClient.SendAsync(
            server, "POST", "/v1/orders", null, jwt, "market=KRW-BTC&side=bid", "application/x-www-form-urlencoded");

        AssertRejected(server, response, HttpStatusCode.BadRequest, UpbitErrorNames.ValidationError);
    }

    [Fact]
    public async Task PostWithParamsInTheQueryIsValidationError()
    {
        await using var server = await StartWith("k", "s");
        var jwt = HandMadeJwt.ForRequest("k", "s", "market=KRW-BTC");

        var response = await StandInClient.SendAsync(server, "POST", "/v1/orders", "market=KRW-BTC", jwt);

        AssertRejected(server, response, HttpStatusCode.BadRequest, UpbitErrorNames.ValidationError);
    }

    [Fact]
    public async Task ParamsWithoutQueryHashIsInvalidQueryPayload()
    {
        await using var server = await StartWith("k", "s");

        var response = await StandInClient.SendAsync(server, "GET", "/v1/orders/chance", "market=KRW-BTC", HandMadeJwt.ForRequest("k", "s", null));

        AssertRejected(server, response, HttpStatusCode.Unauthorized, UpbitErrorNames.InvalidQueryPayload);
    }

    [Fact]
    public async Task QueryHashAlgOtherThanSha512IsInvalidQueryPayload()
    {
        await using var server = await StartWith("k", "s");
        var payload = $"{{\"access_key\":\"k\",\"nonce\":\"{Guid.NewGuid()}\",\"query_hash\":\"{HandMadeJwt.Sha512Hex("market=KRW-BTC")}\",\"query_hash_alg\":\"SHA256\"}}";

        var response = await StandInClient.SendAsync(
            server, "GET", "/v1/orders/chance", "market=KRW-BTC", HandMadeJwt.Build(HandMadeJwt.Header("HS512"), payload, "s"));

        AssertRejected(server, response, HttpStatusCode.Unauthorized, UpbitErrorNames.InvalidQueryPayload);
    }

    [Fact]
    public async Task QueryHashAlgAbsentDefaultsToSha512()
    {
        await using var server = await StartWith("k", "s");
        var payload = $"{{\"access_key\":\"k\",\"nonce\":\"{Guid.NewGuid()}\",\"query_hash\":\"{HandMadeJwt.Sha512Hex("market=KRW-BTC")}\"}}";

        var response = await StandInClient.SendAsync(
            server, "GET", "/v1/orders/chance", "market=KRW-BTC", HandMadeJwt.Build(HandMadeJwt.Header("HS512"), payload, "s"));

        Assert.True(response.Status == HttpStatusCode.OK, response.Body);
    }

    [Theory]
    [InlineData("", HttpStatusCode.OK)]
    [InlineData("market=KRW-BTC", HttpStatusCode.Unauthorized)]
    public async Task NoParamsAcceptsOnlyAbsentOrEmptyStringHash(string hashed, HttpStatusCode expected)
    {
        await using var server = await StartWith("k", "s");

        var response = await StandInClient.SendAsync(server, "GET", "/v1/accounts", null, HandMadeJwt.ForRequest("k", "s", hashed));

        Assert.True(response.Status == expected, response.Body);
    }

    [Fact]
    public async Task PathOutsideV1IsNotFound()
    {
        await using var server = await StartWith("k", "s");

        var response = await StandInClient.SendAsync(server, "GET", "/v2/accounts", null, HandMadeJwt.ForRequest("k", "s", null));

        AssertRejected(server, response, HttpStatusCode.NotFound, UpbitErrorNames.NotFound);
    }
}
