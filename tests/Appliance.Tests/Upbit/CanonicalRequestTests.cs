using Appliance.Upbit;

namespace Appliance.Tests.Upbit;

public class CanonicalRequestTests
{
    private static Endpoint Get(string method, string path)
    {
        Assert.True(EndpointCatalog.Default.TryFind(method, path, out var endpoint));
        return endpoint;
    }

    [Theory]
    // Reserved and non-ASCII characters are percent-encoded with uppercase hex; unreserved ones are kept.
    [InlineData("2024-01-01T00:00:00+09:00", "2024-01-01T00%3A00%3A00%2B09%3A00")]
    [InlineData("a b", "a%20b")]
    [InlineData("a&b=c", "a%26b%3Dc")]
    [InlineData("é", "%C3%A9")]
    [InlineData("😀", "%F0%9F%98%80")]
    [InlineData("A-z_0.9~", "A-z_0.9~")]
    [InlineData("[x]", "%5Bx%5D")]
    [InlineData("%2F", "%252F")]
    public void UrlQueryPercentEncodesValues(string value, string encoded)
    {
        // Build does not validate, so it can be tested on characters the validator would refuse.
        var request = CanonicalRequest.Build(Get("GET", "/v1/orders/closed"), [new("start_time", value)]);
        Assert.Equal("start_time=" + encoded, request.UrlQuery);
        Assert.Equal("start_time=" + value, request.QueryString);
    }

    [Fact]
    public void ArrayKeysKeepTheirBracketsOnTheWire()
    {
        var request = CanonicalRequest.Build(Get("GET", "/v1/orders/uuids"),
            [new("uuids[]", "a"), new("uuids[]", "b"), new("order_by", "asc")]);
        Assert.Equal("uuids[]=a&uuids[]=b&order_by=asc", request.UrlQuery);
        Assert.Equal("uuids[]=a&uuids[]=b&order_by=asc", request.QueryString);
    }

    [Fact]
    public void ParametersKeepTheGivenOrder()
    {
        var request = CanonicalRequest.Build(Get("GET", "/v1/orders/open"),
            [new("limit", "10"), new("market", "KRW-BTC")]);
        Assert.Equal("limit=10&market=KRW-BTC", request.QueryString);
        Assert.Equal("limit=10&market=KRW-BTC", request.UrlQuery);
    }

    [Fact]
    public void PostBodyKeepsOrderAndPlusLiteral()
    {
        var request = CanonicalRequest.Build(Get("POST", "/v1/orders"),
            [new("ord_type", "limit"), new("identifier", "a+b:c")]);
        Assert.Equal("""{"ord_type":"limit","identifier":"a+b:c"}""", request.BodyJson);
        Assert.Equal("ord_type=limit&identifier=a+b:c", request.QueryString);
        Assert.Equal("", request.UrlQuery);
    }

    [Fact]
    public void PostWithoutParametersSendsAnEmptyObject()
    {
        var request = CanonicalRequest.Build(Get("POST", "/v1/orders"), []);
        Assert.Equal("{}", request.BodyJson);
        Assert.Equal("", request.QueryString);
    }

    [Fact]
    public void GetWithoutParametersHasNoQueryOrBody()
    {
        var request = CanonicalRequest.Build(Get("GET", "/v1/accounts"), []);
        Assert.Equal("", request.QueryString);
        Assert.Equal("", request.UrlQuery);
        Assert.Equal("", request.BodyJson);
    }

    [Fact]
    public void ArrayInJsonBodyIsRefused() =>
        Assert.Throws<InvalidOperationException>(() =>
            CanonicalRequest.Build(Get("POST", "/v1/orders"), [new("uuids[]", "a")]));

    [Fact]
    public void DefaultParamIsRejected() =>
        Assert.Throws<ArgumentException>(() => CanonicalRequest.Build(Get("GET", "/v1/orders/open"), [default]));
}
