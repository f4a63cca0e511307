using Appliance.Common;
using Appliance.Pipeline;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tests.Pipeline;

public sealed class ReplayGuardTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void A_request_id_is_refused_again_within_the_window_and_per_bot()
    {
        var guard = new ReplayGuard(_time, TimeSpan.FromSeconds(5));
        guard.Admit("a", "id-1");
        guard.Admit("b", "id-1"); // another bot may use the same id
        var refusal = Assert.Throws<SignRefusal>(() => guard.Admit("a", "id-1"));
        Assert.Equal(RefusalKind.AlreadyExists, refusal.Kind);
        Assert.Equal(Reasons.ReplayedRequest, refusal.Reason);

        _time.Advance(TimeSpan.FromSeconds(10)); // still inside 2 × skew + 1 s
        Assert.Throws<SignRefusal>(() => guard.Admit("a", "id-1"));
    }

    [Fact]
    public void Ids_are_forgotten_only_after_the_client_time_check_would_refuse_them()
    {
        var guard = new ReplayGuard(_time, TimeSpan.FromSeconds(5));
        guard.Admit("a", "id-1");
        _time.Advance(TimeSpan.FromSeconds(11.5));
        guard.Admit("a", "id-1");
    }

    [Fact]
    public void A_full_window_refuses_instead_of_forgetting_early()
    {
        var guard = new ReplayGuard(_time, TimeSpan.FromSeconds(5), capacityPerBot: 3);
        guard.Admit("a", "1");
        guard.Admit("a", "2");
        guard.Admit("a", "3");
        var refusal = Assert.Throws<SignRefusal>(() => guard.Admit("a", "4"));
        Assert.Equal(Reasons.RateLimited, refusal.Reason);
        Assert.Throws<SignRefusal>(() => guard.Admit("a", "1")); // still remembered
    }
}
