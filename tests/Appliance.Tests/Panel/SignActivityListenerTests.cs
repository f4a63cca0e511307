using System.Diagnostics.Metrics;
using Appliance.Panel;
using Appliance.Signing;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Tests.Panel;

public sealed class SignActivityListenerTests
{
    private static SignDecision Decision(Outcome outcome) =>
        new("a1", DateTimeOffset.UnixEpoch, outcome, outcome == Outcome.Signed ? null : "SOME_REASON", "bot", "127.0.0.1", "cred",
            "GET", "/v1/accounts", [], "none", null, null);

    [Fact]
    public void Counts_only_signed_requests_of_its_own_server()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        using var otherServices = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var signed = 0;
        using var listener = new SignActivityListener(() => Interlocked.Increment(ref signed), meter => meter.Scope == factory);
        using var metrics = new SignMetrics(factory);
        using var otherServer = new SignMetrics(otherServices.GetRequiredService<IMeterFactory>());

        metrics.Record(Decision(Outcome.Signed), TimeSpan.FromMilliseconds(1));
        metrics.Record(Decision(Outcome.Denied), TimeSpan.FromMilliseconds(1));
        metrics.Record(Decision(Outcome.Failed), TimeSpan.FromMilliseconds(1));
        otherServer.Record(Decision(Outcome.Signed), TimeSpan.FromMilliseconds(1));
        metrics.Record(Decision(Outcome.Signed), TimeSpan.FromMilliseconds(1));

        Assert.Equal(2, signed);
    }
}
