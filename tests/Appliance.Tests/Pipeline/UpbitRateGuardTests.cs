using Appliance.Common;
using Appliance.Pipeline;
using Appliance.Upbit;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tests.Pipeline;

public sealed class UpbitRateGuardTests
{
    private readonly FakeTimeProvider _time = new();
    private static Endpoint Find(string method, string path) =>
        EndpointCatalog.Default.TryFind(method, path, out var e) ? e : throw new InvalidOperationException(path);

    [Fact]
    public void Order_group_allows_its_rate_then_refuses_until_time_passes()
    {
        var guard = new UpbitRateGuard(_time, new UpbitRates());
        var orders = Find("POST", "/v1/orders");
        for (var i = 0; i < 12; i++) guard.Admit("main", orders);

        var refusal = Assert.Throws<SignRefusal>(() => guard.Admit("main", orders));
        Assert.Equal(RefusalKind.ResourceExhausted, refusal.Kind);
        Assert.Equal(Reasons.RateLimited, refusal.Reason);

        _time.Advance(TimeSpan.FromMilliseconds(100));
        guard.Admit("main", orders); // 1.2 tokens came back
        Assert.Throws<SignRefusal>(() => guard.Admit("main", orders));
    }

    [Fact]
    public void Credentials_and_groups_have_separate_budgets()
    {
        var guard = new UpbitRateGuard(_time, new UpbitRates { OrderPerSecond = 1 });
        var orders = Find("POST", "/v1/orders");
        guard.Admit("a", orders);
        guard.Admit("b", orders);
        guard.Admit("a", Find("GET", "/v1/accounts"));
        Assert.Throws<SignRefusal>(() => guard.Admit("a", orders));
    }

    [Fact]
    public void Cancel_all_is_one_per_two_seconds()
    {
        var guard = new UpbitRateGuard(_time, new UpbitRates());
        var cancelAll = Find("DELETE", "/v1/orders/open");
        guard.Admit("main", cancelAll);
        _time.Advance(TimeSpan.FromSeconds(1.9));
        Assert.Throws<SignRefusal>(() => guard.Admit("main", cancelAll));
        _time.Advance(TimeSpan.FromSeconds(0.2));
        guard.Admit("main", cancelAll);
    }
}
