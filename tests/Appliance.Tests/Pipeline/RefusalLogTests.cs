using Appliance.Common;
using Appliance.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tests.Pipeline;

/// <summary>RefusalLog on its own, with a fake clock: one line per (bot, reason) and window, repeats summarised.</summary>
public sealed class RefusalLogTests
{
    [Fact]
    public void Repeats_within_a_window_are_counted_and_summarised_on_the_next_line()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-30T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var logger = new Lines();
        using var log = new RefusalLog(logger, time, TimeSpan.FromMinutes(1));
        for (var i = 0; i < 1000; i++) log.Observe(Refused("flooder", Reasons.RateLimited, time), TimeSpan.Zero);
        log.Observe(Refused("other", Reasons.RateLimited, time), TimeSpan.Zero);
        log.Observe(Refused("flooder", Reasons.ScopeDenied, time), TimeSpan.Zero);
        Assert.Equal(3, logger.All.Count);

        time.Advance(TimeSpan.FromMinutes(1));
        log.Observe(Refused("flooder", Reasons.RateLimited, time), TimeSpan.Zero);
        Assert.Equal(4, logger.All.Count);
        Assert.Contains("and 999 more like it", logger.All[^1]);
    }

    [Fact]
    public void A_burst_that_stops_is_summarised_by_the_timer_without_a_next_line()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-30T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var logger = new Lines();
        using var log = new RefusalLog(logger, time, TimeSpan.FromMinutes(1));
        for (var i = 0; i < 500; i++) log.Observe(Refused("flooder", Reasons.RateLimited, time), TimeSpan.Zero);
        for (var i = 0; i < 7; i++) log.UnknownPeer();
        Assert.Equal(2, logger.All.Count); // the first refusal and the first unknown peer

        time.Advance(TimeSpan.FromSeconds(45));
        Assert.Equal(2, logger.All.Count); // the window has not closed
        time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(4, logger.All.Count);
        Assert.Contains(logger.All, l => l.Contains("flooder") && l.Contains("and 499 more like it"));
        Assert.Contains(logger.All, l => l.Contains("refused 6 request(s) from peers"));

        // Quiet from now on: nothing more is written, however long the timer runs.
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(4, logger.All.Count);
        // A repeat after the quiet is a fresh line again.
        log.Observe(Refused("flooder", Reasons.RateLimited, time), TimeSpan.Zero);
        Assert.Equal(5, logger.All.Count);
        Assert.DoesNotContain("more like it", logger.All[^1]);
    }

    private static SignDecision Refused(string bot, string reason, TimeProvider time) =>
        new(Guid.NewGuid().ToString(), time.GetUtcNow(), Outcome.Denied, reason, bot, "127.0.0.1", "main", "GET", "/v1/accounts", [], "none", null, null);

    private sealed class Lines : ILogger
    {
        public List<string> All { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel level) => true;
        public void Log<TState>(LogLevel level, EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            All.Add(formatter(state, exception));
    }
}
