using System.Net;
using System.Text;

namespace Appliance.StandIn.Tests;

/// <summary>The stand-in's parameter rendering, unit by unit, plus its behaviour under concurrency.</summary>
public sealed class UpbitRequestParamsTests
{
    [Theory]
    [InlineData("a%2Bb", "a+b")]
    [InlineData("a+b", "a b")] // servlet/form decoding; the wire rule refuses a literal '+' before this matters
    [InlineData("2024-01-01T00%3A00%3A00%2B09%3A00", "2024-01-01T00:00:00+09:00")]
    [InlineData("%ED%95%9C", "한")]
    [InlineData("states[]", "states[]")]
    public void PercentDecodeDecodesLikeAServlet(string raw, string expected) =>
        Assert.Equal(expected, UpbitRequestParams.PercentDecode(raw));

    [Theory]
    [InlineData("%FF")]
    [InlineData("%C3")]
    [InlineData("%4")]
    public void PercentDecodeRefusesMalformedInput(string raw)
    {
        var e = Assert.Throws<UpbitRejection>(() => UpbitRequestParams.PercentDecode(raw));
        Assert.Equal(UpbitErrorNames.InvalidParameter, e.ErrorName);
    }

    [Fact]
    public void QueryHashInputIsTheWholeQueryDecodedInWireOrder()
    {
        var parsed = UpbitRequestParams.FromQuery("b=2&a=x%3Ay&a=%26");

        Assert.Equal("b=2&a=x:y&a=&", parsed.HashInput);
        Assert.Equal([new("b", "2"), new("a", "x:y"), new KeyValuePair<string, string>("a", "&")], parsed.Params);
    }

    [Fact]
    public void JsonArrayKeysGetOneBracketPair()
    {
        var parsed = UpbitRequestParams.FromJsonBody(Encoding.UTF8.GetBytes("{\"uuids[]\":[\"u1\"],\"states\":[\"wait\",\"done\"]}"));

        Assert.Equal("uuids[]=u1&states[]=wait&states[]=done", parsed.HashInput);
    }

    [Theory]
    [InlineData("{\"a\":{\"b\":1}}")]
    [InlineData("{\"a\":[[1]]}")]
    [InlineData("[1,2]")]
    [InlineData("{\"a\":")]
    public void JsonBodyWithoutAFlatRenderingIsValidationError(string body)
    {
        var e = Assert.Throws<UpbitRejection>(() => UpbitRequestParams.FromJsonBody(Encoding.UTF8.GetBytes(body)));
        Assert.Equal(UpbitErrorNames.ValidationError, e.ErrorName);
    }

    [Fact]
    public void EmptyJsonObjectHasNoParams() =>
        Assert.Null(UpbitRequestParams.FromJsonBody("{}"u8.ToArray()).HashInput);

    [Fact]
    public async Task ConcurrentReplaysOfOneTokenAreAcceptedExactlyOnce()
    {
        await using var server = await TestExchange.StartAsync();
        server.AddKey("k", "s");
        var jwt = HandMadeJwt.ForRequest("k", "s", "market=KRW-BTC");

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ =>
            StandInClient.SendAsync(server, "GET", "/v1/orders/chance", "market=KRW-BTC", jwt)));

        Assert.Single(responses, r => r.Status == HttpStatusCode.OK);
        Assert.Equal(15, responses.Count(r => r.ErrorName == UpbitErrorNames.NonceUsed));
        Assert.Single(server.Accepted);
        Assert.Equal(15, server.Rejected.Count);
    }

    [Fact]
    public async Task AddKeyRefusesEmptyInput()
    {
        await using var server = await TestExchange.StartAsync();

        Assert.Throws<ArgumentException>(() => server.AddKey("", "s"));
        Assert.Throws<ArgumentException>(() => server.AddKey("k", ""));
    }
}
