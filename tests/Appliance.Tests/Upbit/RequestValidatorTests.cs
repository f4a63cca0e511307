using Appliance.Common;
using Appliance.Upbit;
using Appliance.Tests.Support;

namespace Appliance.Tests.Upbit;

public class RequestValidatorTests
{
    // Params are flattened key, value, key, value... so xunit can show and serialize each case.
    private static readonly string[] LimitOrder =
        ["market", "KRW-BTC", "side", "bid", "volume", "0.01", "price", "100000000", "ord_type", "limit"];

    public static TheoryData<string, string, string[], string> Refusals => new()
    {
        // Unknown endpoints: wrong path, case of path, query in path, unknown method, pockets left out.
        { "GET", "/v1/nope", [], Reasons.UnknownEndpoint },
        { "GET", "/V1/accounts", [], Reasons.UnknownEndpoint },
        { "GET", "/v1/accounts?x=1", [], Reasons.UnknownEndpoint },
        { "GET", "/accounts", [], Reasons.UnknownEndpoint },
        { "PUT", "/v1/orders", [], Reasons.UnknownEndpoint },
        { "POST", "/v1/accounts", [], Reasons.UnknownEndpoint },
        { "GET", "/v1/pockets/asset", ["uuid", "p"], Reasons.UnknownEndpoint },
        { "", "", [], Reasons.UnknownEndpoint },

        // Unknown or malformed parameter names (smuggling through the name).
        { "GET", "/v1/accounts", ["market", "KRW-BTC"], Reasons.UnknownParam },
        { "POST", "/v1/orders", [.. LimitOrder, "foo", "1"], Reasons.UnknownParam },
        { "GET", "/v1/orders/chance", ["market&x", "KRW-BTC"], Reasons.UnknownParam },
        { "GET", "/v1/orders/chance", ["market\n", "KRW-BTC"], Reasons.UnknownParam },
        { "GET", "/v1/orders/chance", ["Market", "KRW-BTC"], Reasons.UnknownParam },
        { "GET", "/v1/orders/chance", ["", "KRW-BTC"], Reasons.UnknownParam },
        { "GET", "/v1/orders/open", ["states", "wait"], Reasons.UnknownParam },
        { "GET", "/v1/orders/open", ["market[]", "KRW-BTC"], Reasons.UnknownParam },

        // Smuggling through the value.
        { "GET", "/v1/orders/chance", ["market", "KRW-BTC&market=KRW-ETH"], Reasons.BadParamValue },
        { "GET", "/v1/orders/chance", ["market", "KRW-BTC=x"], Reasons.BadParamValue },
        { "GET", "/v1/orders/chance", ["market", "KRW-BTC%26market%3DKRW-ETH"], Reasons.BadParamValue },
        { "GET", "/v1/orders/chance", ["market", "KRW BTC"], Reasons.BadParamValue },
        { "GET", "/v1/orders/chance", ["market", "KRW-비트"], Reasons.BadParamValue },
        { "GET", "/v1/orders/chance", ["market", "KRW-BTC\n"], Reasons.BadParamValue },
        { "GET", "/v1/orders/chance", ["market", "KRW-BTC\0"], Reasons.BadParamValue },
        { "GET", "/v1/orders/chance", ["market", "KRW-BTC#x"], Reasons.BadParamValue },
        { "GET", "/v1/orders/chance", ["market", ""], Reasons.BadParamValue },
        { "POST", "/v1/withdraws/coin", ["currency", "BTC", "net_type", "BTC", "amount", "0.01&amount=9", "address", "bc1q"], Reasons.BadParamValue },
        { "POST", "/v1/withdraws/coin", ["currency", "BTC", "net_type", "BTC", "amount", "0.01", "address", "bc1q\"x"], Reasons.BadParamValue },

        // Enums and number formats.
        { "POST", "/v1/orders", ["market", "KRW-BTC", "side", "buy", "volume", "1", "price", "1", "ord_type", "limit"], Reasons.BadParamValue },
        { "POST", "/v1/orders", ["market", "KRW-BTC", "side", "BID", "volume", "1", "price", "1", "ord_type", "limit"], Reasons.BadParamValue },
        { "POST", "/v1/orders", ["market", "KRW-BTC", "side", "bid", "volume", "1", "price", "1", "ord_type", "stop"], Reasons.BadParamValue },
        { "POST", "/v1/orders", [.. LimitOrder, "time_in_force", "gtc"], Reasons.BadParamValue },
        { "POST", "/v1/orders", [.. LimitOrder, "smp_type", "cancel_all"], Reasons.BadParamValue },
        { "POST", "/v1/orders", ["market", "KRW-BTC", "side", "bid", "volume", "-1", "price", "1", "ord_type", "limit"], Reasons.BadParamValue },
        { "POST", "/v1/orders", ["market", "KRW-BTC", "side", "bid", "volume", "1e3", "price", "1", "ord_type", "limit"], Reasons.BadParamValue },
        { "POST", "/v1/orders", ["market", "KRW-BTC", "side", "bid", "volume", "1.", "price", "1", "ord_type", "limit"], Reasons.BadParamValue },
        { "POST", "/v1/orders", ["market", "KRW-BTC", "side", "bid", "volume", "0.0.1", "price", "1", "ord_type", "limit"], Reasons.BadParamValue },
        { "GET", "/v1/orders/open", ["states[]", "done"], Reasons.BadParamValue },
        { "GET", "/v1/orders/closed", ["states[]", "wait"], Reasons.BadParamValue },
        { "GET", "/v1/orders/open", ["order_by", "up"], Reasons.BadParamValue },
        { "GET", "/v1/orders/open", ["limit", "1.5"], Reasons.BadParamValue },
        { "DELETE", "/v1/orders/open", ["cancel_side", "both"], Reasons.BadParamValue },
        { "DELETE", "/v1/orders/open", ["pairs", "KRW-BTC,,KRW-ETH"], Reasons.BadParamValue },
        { "DELETE", "/v1/orders/open", ["pairs", "KRW-BTC,"], Reasons.BadParamValue },
        { "POST", "/v1/withdraws/coin", ["currency", "BTC", "net_type", "BTC", "amount", "1", "address", "bc1q", "transaction_type", "fast"], Reasons.BadParamValue },
        { "POST", "/v1/withdraws/krw", ["amount", "10000", "two_factor_type", "sms"], Reasons.BadParamValue },
        { "POST", "/v1/orders/cancel_and_new", ["prev_order_uuid", "u", "new_ord_type", "limit", "new_volume", "all", "new_price", "1"], Reasons.BadParamValue },

        // Duplicates of single and comma-list parameters.
        { "POST", "/v1/orders", [.. LimitOrder, "market", "KRW-ETH"], Reasons.DuplicateParam },
        { "POST", "/v1/orders", [.. LimitOrder, "price", "1"], Reasons.DuplicateParam },
        { "DELETE", "/v1/orders/open", ["pairs", "KRW-BTC", "pairs", "KRW-ETH"], Reasons.DuplicateParam },

        // Missing required parameters and groups.
        { "GET", "/v1/orders/chance", [], Reasons.MissingParam },
        { "POST", "/v1/orders", ["market", "KRW-BTC", "side", "bid", "volume", "1", "price", "1"], Reasons.MissingParam },
        { "POST", "/v1/withdraws/coin", ["currency", "BTC", "net_type", "BTC", "amount", "1"], Reasons.MissingParam },
        { "POST", "/v1/withdraws/krw", ["amount", "10000"], Reasons.MissingParam },
        { "DELETE", "/v1/withdraws/coin", [], Reasons.MissingParam },
        { "GET", "/v1/order", [], Reasons.MissingParam },
        { "GET", "/v1/withdraws/chance", ["currency", "BTC"], Reasons.MissingParam },
        { "GET", "/v1/withdraws/chance", ["currency", "KRW", "net_type", "KRW"], Reasons.BadParamValue },
        { "GET", "/v1/pockets/assets", [], Reasons.MissingParam },
        { "POST", "/v1/pockets/transfers", ["currency", "KRW", "amount", "10000"], Reasons.MissingParam },
        { "POST", "/v1/pockets/universal_transfers", ["to", "p", "currency", "KRW"], Reasons.MissingParam },
        { "POST", "/v1/pockets/transfers", ["to", "p", "currency", "KRW", "amount", "1e4"], Reasons.BadParamValue },
        { "POST", "/v1/pockets/universal_transfers", ["to", "p&to=q", "currency", "KRW", "amount", "1"], Reasons.BadParamValue },
        { "GET", "/v1/pockets/transfers", ["direction", "sideways"], Reasons.BadParamValue },
        { "GET", "/v1/pockets/universal_transfers", ["states[]", "wait"], Reasons.BadParamValue },
        { "GET", "/v1/pockets/api_keys", ["include_expired", "yes"], Reasons.BadParamValue },
        { "GET", "/v1/pockets/transfers", ["from", "p"], Reasons.UnknownParam },
        { "DELETE", "/v1/orders/uuids", [], Reasons.MissingParam },
        { "GET", "/v1/order", ["uuid", "a", "identifier", "b"], Reasons.BadParamValue },
        { "DELETE", "/v1/orders/uuids", ["uuids[]", "a", "identifiers[]", "b"], Reasons.BadParamValue },
        { "GET", "/v1/orders/open", ["state", "wait", "states[]", "watch"], Reasons.BadParamValue },

        // Lengths and counts.
        { "GET", "/v1/orders/chance", ["market", new string('A', 33)], Reasons.ParamTooLong },
        { "POST", "/v1/withdraws/coin", ["currency", "BTC", "net_type", "BTC", "amount", "1", "address", new string('a', 129)], Reasons.ParamTooLong },
        { "DELETE", "/v1/orders/uuids", Repeat("uuids[]", 21), Reasons.TooManyValues },
        { "DELETE", "/v1/orders/uuids", Repeat("identifiers[]", 21), Reasons.TooManyValues },
        { "GET", "/v1/orders/uuids", Repeat("uuids[]", 101), Reasons.TooManyValues },
        { "DELETE", "/v1/orders/open", ["pairs", string.Join(',', Enumerable.Range(0, 21).Select(i => $"KRW-C{i}"))], Reasons.TooManyValues },
    };

    public static TheoryData<string, string, string[]> Accepted => new()
    {
        { "GET", "/v1/accounts", [] },
        { "get", "/v1/accounts", [] },
        { "Delete", "/v1/order", ["uuid", "11111111-1111-4111-8111-111111111111"] },
        { "GET", "/v1/order", ["identifier", "my-order_1.2"] },
        { "DELETE", "/v1/orders/uuids", Repeat("uuids[]", 20) },
        { "DELETE", "/v1/orders/open", ["cancel_side", "bid", "quote_currencies", "KRW,BTC", "count", "300", "order_by", "desc"] },
        { "GET", "/v1/orders/closed", ["market", "KRW-BTC", "states[]", "done", "states[]", "cancel", "start_time", "2024-01-01T00:00:00+09:00"] },
        { "GET", "/v1/withdraws", ["currency", "XRP", "state", "DONE", "txids[]", "ab", "txids[]", "cd", "limit", "100"] },
        { "GET", "/v1/withdraw", ["txid", "0xabc"] },
        { "POST", "/v1/withdraws/coin", ["currency", "XRP", "net_type", "XRP", "amount", "10", "address", "rXYZ", "secondary_address", "12345", "transaction_type", "internal"] },
        { "POST", "/v1/withdraws/krw", ["amount", "10000", "two_factor_type", "kakao"] },
        { "POST", "/v1/deposits/krw", ["amount", "10000", "two_factor_type", "naver"] },
        { "POST", "/v1/deposits/generate_coin_address", ["currency", "BTC", "net_type", "BTC"] },
        { "POST", "/v1/travel_rule/deposit/txid", ["vasp_uuid", "v", "txid", "t", "currency", "BTC", "net_type", "BTC"] },
        { "POST", "/v1/orders/test", LimitOrder },
        { "POST", "/v1/orders/cancel_and_new", ["prev_order_identifier", "a", "new_ord_type", "limit", "new_volume", "remain_only", "new_price", "1000"] },
        { "GET", "/v1/api_keys", [] },
        { "GET", "/v1/status/wallet", [] },
        // Upbit v1.7.0: KRW needs no network; the latest withdrawal or deposit needs no identifier.
        { "GET", "/v1/withdraws/chance", ["currency", "KRW"] },
        { "GET", "/v1/withdraws/chance", ["currency", "krw"] },
        { "GET", "/v1/withdraws/chance", ["currency", "BTC", "net_type", "BTC"] },
        { "GET", "/v1/withdraw", [] },
        { "GET", "/v1/withdraw", ["currency", "BTC"] },
        { "GET", "/v1/deposit", [] },
        { "GET", "/v1/pockets", [] },
        { "GET", "/v1/pockets/api_keys", ["uuids[]", "a", "uuids[]", "b", "include_expired", "true"] },
        { "GET", "/v1/pockets/assets", ["uuid", "11111111-1111-4111-8111-111111111111"] },
        { "POST", "/v1/pockets/universal_transfers", ["from", "main", "to", "sub-1", "currency", "KRW", "amount", "10000", "identifier", "t-1"] },
        { "GET", "/v1/pockets/universal_transfers", ["states[]", "done", "states[]", "failed", "currency", "KRW", "limit", "100", "order_by", "asc"] },
        { "POST", "/v1/pockets/transfers", ["to", "main-pocket", "currency", "BTC", "amount", "0.5"] },
        { "GET", "/v1/pockets/transfers", ["direction", "out", "start_time", "2025-06-24T04:56:53Z"] },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void RefusesWithReason(string method, string path, string[] flat, string reason)
    {
        var refusal = Assert.Throws<SignRefusal>(() => RequestValidator.Validate(method, path, Params(flat)));
        Assert.Equal(reason, refusal.Reason);
        Assert.Equal(RefusalKind.InvalidArgument, refusal.Kind);
        Assert.EndsWith(".", refusal.Message);
        Assert.DoesNotContain('\n', refusal.Message);
        Assert.DoesNotContain('\0', refusal.Message);
    }

    [Theory]
    [MemberData(nameof(Accepted))]
    public void AcceptsWellFormedRequests(string method, string path, string[] flat)
    {
        var endpoint = RequestValidator.Validate(method, path, Params(flat));
        Assert.Equal(method.ToUpperInvariant(), endpoint.Method);
        Assert.Equal(path, endpoint.Path);
    }

    [Fact]
    public void UnknownParamMessageListsAcceptedNames()
    {
        var refusal = Assert.Throws<SignRefusal>(() =>
            RequestValidator.Validate("POST", "/v1/orders", Params([.. LimitOrder, "foo", "1"])));
        Assert.Equal(
            "Parameter 'foo' is not accepted by POST /v1/orders; accepted: market, side, volume, price, ord_type, identifier, time_in_force, smp_type.",
            refusal.Message);
    }

    [Fact]
    public void RefusalMessagesNeverEchoTheValue()
    {
        var refusal = Assert.Throws<SignRefusal>(() =>
            RequestValidator.Validate("GET", "/v1/orders/chance", Params(["market", "KRW-BTC&market=KRW-ETH"])));
        Assert.DoesNotContain("KRW-ETH", refusal.Message);
        Assert.Contains("'market'", refusal.Message);
    }

    [Fact]
    public void MalformedNameIsEchoedWithoutControlCharacters()
    {
        var refusal = Assert.Throws<SignRefusal>(() =>
            RequestValidator.Validate("GET", "/v1/orders/chance", Params(["market\r\nX-Evil: 1", "KRW-BTC"])));
        Assert.Contains("'market??X-Evil: 1'", refusal.Message);
    }

    [Fact]
    public void DefaultParamIsRefusedNotThrown()
    {
        var refusal = Assert.Throws<SignRefusal>(() =>
            RequestValidator.Validate("GET", "/v1/orders/chance", [default]));
        Assert.Equal(Reasons.UnknownParam, refusal.Reason);
    }

    internal static UpbitParam[] Params(string[] flat)
    {
        Assert.True(flat.Length % 2 == 0, "flattened params come in key/value pairs");
        return [.. flat.Chunk(2).Select(kv => new UpbitParam(kv[0], kv[1]))];
    }

    private static string[] Repeat(string key, int count) =>
        [.. Enumerable.Range(0, count).SelectMany(i => new[] { key, $"00000000-0000-4000-8000-{i:D12}" })];
}
