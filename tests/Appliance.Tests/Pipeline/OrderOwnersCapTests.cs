using Appliance.Orders;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tests.Pipeline;

/// <summary>The order-owner index is bounded by count as well as by age: past the cap the oldest generation goes.</summary>
public sealed class OrderOwnersCapTests
{
    [Fact]
    public void Past_the_cap_the_oldest_generation_is_forgotten_and_the_newest_kept()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-30T00:00:00Z"));
        var owners = new OrderOwners(time, TimeSpan.FromDays(7), maxOrders: 100);
        // Generations are 7 h long (a 24th of the keep): 60 orders in the first, 60 in the second.
        for (var i = 0; i < 60; i++) owners.Placed("a", $"old-{i}", "KRW-BTC", 1m, time.GetUtcNow());
        owners.Answered("old-0", "11111111-1111-1111-1111-111111111111");
        time.Advance(TimeSpan.FromHours(8));
        for (var i = 0; i < 60; i++) owners.Placed("b", $"new-{i}", "KRW-BTC", 2m, time.GetUtcNow());

        Assert.Equal(60, owners.Count);
        Assert.Null(owners.ByIdentifier("old-0")); // forgotten: a lookup is refused (fail closed), never granted
        Assert.Null(owners.ByUuid("11111111-1111-1111-1111-111111111111"));
        Assert.Equal(new OwnedOrder("b", 2m), owners.ByIdentifier("new-59"));
    }

    [Fact]
    public void Within_the_cap_a_week_is_kept()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-30T00:00:00Z"));
        var owners = new OrderOwners(time);
        Assert.Equal(OrderOwners.DefaultMaxOrders, owners.MaxOrders);
        owners.Placed("a", "first", null, null, time.GetUtcNow());
        time.Advance(TimeSpan.FromDays(6));
        owners.Placed("a", "later", null, null, time.GetUtcNow());
        Assert.Equal(new OwnedOrder("a", null), owners.ByIdentifier("first"));
        time.Advance(TimeSpan.FromDays(1.5));
        owners.Placed("a", "latest", null, null, time.GetUtcNow());
        Assert.Null(owners.ByIdentifier("first"));
    }
}
