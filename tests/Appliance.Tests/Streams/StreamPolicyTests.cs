using System.Text;
using Appliance.Common;
using Appliance.Orders;
using Appliance.Policy;
using Appliance.Streams;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tests.Streams;

public sealed class StreamPolicyTests
{
    private static readonly string[] AllViews = ["view-orders", "view-assets"];

    private static BotProfile Bot(string name, string[] scopes, string[]? markets = null, bool allOrders = false) => new()
    {
        Name = name, Thumbprint = name, Credential = "main", Scopes = scopes, Markets = markets ?? [], AllowIps = ["127.0.0.1/32"], AllOrders = allOrders,
    };

    [Fact]
    public void Each_type_needs_its_view_scope_on_the_bot_and_the_credential()
    {
        var orders = new StreamSubscription(true, [], false);
        var assets = new StreamSubscription(false, [], true);
        Assert.Equal(Reasons.ScopeDenied, Assert.Throws<SignRefusal>(() => StreamPolicy.Authorize(Bot("a", ["view-assets"]), orders, "main", AllViews)).Reason);
        Assert.Equal(Reasons.ScopeDenied, Assert.Throws<SignRefusal>(() => StreamPolicy.Authorize(Bot("a", ["view-orders"]), assets, "main", AllViews)).Reason);
        var refusal = Assert.Throws<SignRefusal>(() => StreamPolicy.Authorize(Bot("a", AllViews), orders, "main", ["view-assets"]));
        Assert.Equal(RefusalKind.PermissionDenied, refusal.Kind);
        Assert.Contains("credentials rotate", refusal.Message);
        Assert.Equal(Reasons.CredentialDenied, Assert.Throws<SignRefusal>(() => StreamPolicy.Authorize(Bot("a", AllViews), orders, "other", AllViews)).Reason);
        Assert.Same(assets, StreamPolicy.Authorize(Bot("a", ["view-assets"]), assets, "main", AllViews));
    }

    [Fact]
    public void A_bot_bound_to_markets_names_only_those_and_an_open_request_is_narrowed_to_them()
    {
        var bot = Bot("btc", AllViews, ["KRW-BTC", "KRW-ETH"]);
        var refusal = Assert.Throws<SignRefusal>(() => StreamPolicy.Authorize(bot, new StreamSubscription(true, ["KRW-BTC", "KRW-XRP"], false), "main", AllViews));
        Assert.Equal(Reasons.MarketDenied, refusal.Reason);
        Assert.Contains("KRW-XRP", refusal.Message);
        Assert.Equal(["KRW-BTC", "KRW-ETH"], StreamPolicy.Authorize(bot, new StreamSubscription(true, [], false), "main", AllViews).Codes);
        Assert.Equal(["KRW-ETH"], StreamPolicy.Authorize(bot, new StreamSubscription(true, ["KRW-ETH"], false), "main", AllViews).Codes);
    }

    [Fact]
    public void Order_events_reach_only_the_bot_that_placed_the_order_unless_it_has_all_orders()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-30T00:00:00Z"));
        var owners = new OrderOwners(time);
        owners.Placed("a", "apl-1", "KRW-BTC", 1m, time.GetUtcNow());
        owners.Placed("b", "apl-2", "KRW-BTC", 1m, time.GetUtcNow());
        owners.Answered("apl-2", "uuid-2");
        var everything = new StreamSubscription(true, [], true);
        StreamEvent Order(string? identifier, string? uuid, string code = "KRW-BTC") =>
            StreamEvent.Read(Encoding.UTF8.GetBytes($$"""{"type":"myOrder","code":"{{code}}","uuid":"{{uuid}}","identifier":{{(identifier is null ? "null" : $"\"{identifier}\"")}}}"""))!;

        Assert.True(Order("apl-1", "uuid-1").IsFor(Bot("a", AllViews), everything, owners));
        Assert.False(Order("apl-1", "uuid-1").IsFor(Bot("b", AllViews), everything, owners));
        Assert.True(Order(null, "uuid-2").IsFor(Bot("b", AllViews), everything, owners)); // by uuid when no identifier
        Assert.False(Order("unknown", "uuid-x").IsFor(Bot("a", AllViews), everything, owners)); // no owner: only --all-orders
        Assert.True(Order("unknown", "uuid-x").IsFor(Bot("c", AllViews, allOrders: true), everything, owners));
        Assert.False(Order("apl-1", "uuid-1").IsFor(Bot("a", AllViews, ["KRW-ETH"]), everything, owners)); // outside its markets
        Assert.False(Order("apl-1", "uuid-1").IsFor(Bot("a", AllViews), new StreamSubscription(true, ["KRW-ETH"], true), owners));
        Assert.False(Order("apl-1", "uuid-1").IsFor(Bot("a", AllViews), new StreamSubscription(false, [], true), owners));

        var asset = StreamEvent.Read("""{"type":"myAsset","assets":[{"currency":"KRW","balance":1,"locked":0}]}"""u8)!;
        Assert.True(asset.IsFor(Bot("a", AllViews, ["KRW-ETH"]), everything, owners));
        Assert.False(asset.IsFor(Bot("a", AllViews), new StreamSubscription(true, [], false), owners));
        Assert.Null(StreamEvent.Read("""{"status":"UP"}"""u8));
        Assert.Null(StreamEvent.Read("""{"error":{"name":"INVALID_AUTH","message":"x"}}"""u8));
        Assert.Null(StreamEvent.Read("not json"u8));
    }
}
