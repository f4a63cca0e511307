using Appliance.Streams;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tests.Streams;

/// <summary>The sliding windows that keep the relay inside Upbit's WebSocket limits, on a fake clock.</summary>
public sealed class WindowPacerTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-30T00:00:00Z"));

    [Fact]
    public async Task Messages_wait_past_four_in_a_second()
    {
        var pacer = WindowPacer.Messages(_time);
        for (var i = 0; i < 4; i++) await pacer.WaitAsync(TestContext.Current.CancellationToken);
        var fifth = pacer.WaitAsync(TestContext.Current.CancellationToken);
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(fifth.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(999));
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(fifth.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await fifth.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Messages_wait_past_ninety_in_a_minute()
    {
        var pacer = WindowPacer.Messages(_time);
        for (var i = 0; i < 90; i++)
        {
            if (i > 0 && i % 4 == 0) _time.Advance(TimeSpan.FromSeconds(1));
            await pacer.WaitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        }
        _time.Advance(TimeSpan.FromSeconds(1)); // 23 s in: the per-second window is clear, the minute is full
        var next = pacer.WaitAsync(TestContext.Current.CancellationToken);
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(next.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(37)); // the first message leaves the minute
        await next.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
    }

    [Fact]
    public void A_limit_must_be_positive()
    {
        Assert.Throws<ArgumentException>(() => new WindowPacer(_time));
        Assert.Throws<ArgumentException>(() => new WindowPacer(_time, (0, TimeSpan.FromSeconds(1))));
        Assert.Throws<ArgumentException>(() => new WindowPacer(_time, (1, TimeSpan.Zero)));
    }
}
