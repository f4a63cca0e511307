using System.Text.Json;
using Appliance.Common;
using Appliance.Streams;

namespace Appliance.Tests.Streams;

public sealed class SubscriptionFramesTests
{
    [Fact]
    public void A_frame_is_read_into_types_and_sorted_codes()
    {
        var s = SubscriptionFrames.Parse("""[{"ticket":"t"},{"type":"myOrder","codes":["KRW-ETH","KRW-BTC"]},{"type":"myAsset"},{"format":"JSON_LIST"}]""");
        Assert.True(s.Orders);
        Assert.True(s.Assets);
        Assert.True(s.JsonList);
        Assert.Equal(["KRW-BTC", "KRW-ETH"], s.Codes);
    }

    [Theory]
    [InlineData("not json", Reasons.WrongFormat)]
    [InlineData("{}", Reasons.WrongFormat)]
    [InlineData("[]", Reasons.WrongFormat)]
    [InlineData("""[{"type":"myOrder"}]""", Reasons.NoTicket)]
    [InlineData("""[{"ticket":""},{"type":"myOrder"}]""", Reasons.NoTicket)]
    [InlineData("""[{"ticket":"t"}]""", Reasons.NoType)]
    [InlineData("""[{"ticket":"t"},{"type":"ticker","codes":["KRW-BTC"]}]""", Reasons.InvalidParam)]
    [InlineData("""[{"ticket":"t"},{"type":"myOrder","codes":["krw-btc"]}]""", Reasons.InvalidParam)]
    [InlineData("""[{"ticket":"t"},{"type":"myOrder","codes":"KRW-BTC"}]""", Reasons.WrongFormat)]
    [InlineData("""[{"ticket":"t"},{"type":"myOrder"},{"format":"SIMPLE"}]""", Reasons.InvalidParam)]
    [InlineData("""[{"ticket":"t"},{"type":"myAsset","codes":["KRW-BTC"]}]""", Reasons.WrongFormat)]
    [InlineData("""[{"ticket":"t"},{"type":"myOrder","isOnlyRealtime":true}]""", Reasons.WrongFormat)]
    [InlineData("""[{"ticket":"t","extra":1},{"type":"myOrder"}]""", Reasons.WrongFormat)]
    public void A_bad_frame_is_refused_with_upbits_error_name(string frame, string reason)
    {
        var refusal = Assert.Throws<SignRefusal>(() => SubscriptionFrames.Parse(frame));
        Assert.Equal(reason, refusal.Reason);
        Assert.Equal(RefusalKind.InvalidArgument, refusal.Kind);
        Assert.EndsWith(".", refusal.Message);
    }

    [Fact]
    public void Grpc_types_are_checked_like_frames()
    {
        Assert.Equal(Reasons.InvalidParam, Assert.Throws<SignRefusal>(() => SubscriptionFrames.Build(["orderbook"], [])).Reason);
        Assert.Equal(Reasons.NoType, Assert.Throws<SignRefusal>(() => SubscriptionFrames.Build([], [])).Reason);
        Assert.Equal(Reasons.WrongFormat, Assert.Throws<SignRefusal>(() => SubscriptionFrames.Build(["myAsset"], ["KRW-BTC"])).Reason);
        Assert.Equal(Reasons.InvalidParam, Assert.Throws<SignRefusal>(() => SubscriptionFrames.Build(["myOrder"], ["KRW-BTC\n"])).Reason);
    }

    [Fact]
    public void The_upstream_frame_is_rebuilt_from_the_union_of_subscriptions()
    {
        var union = StreamSubscription.Union([
            new StreamSubscription(true, ["KRW-ETH"], false),
            new StreamSubscription(true, ["KRW-BTC", "KRW-ETH"], false, JsonList: true),
            new StreamSubscription(false, [], true),
        ]);
        Assert.Equal(new StreamSubscription(true, ["KRW-BTC", "KRW-ETH"], true), union);
        using var frame = JsonDocument.Parse(union.ToUpbitFrame("ticket-1"));
        Assert.Equal("""[{"ticket":"ticket-1"},{"type":"myOrder","codes":["KRW-BTC","KRW-ETH"]},{"type":"myAsset"},{"format":"DEFAULT"}]""",
            JsonSerializer.Serialize(frame.RootElement));

        // Anyone asking for every market widens the upstream myOrder to every market (bots are filtered one by one).
        var all = StreamSubscription.Union([new StreamSubscription(true, ["KRW-BTC"], false), new StreamSubscription(true, [], false)]);
        Assert.Empty(all.Codes);
        Assert.DoesNotContain("codes", all.ToUpbitFrame("t"));
    }
}
