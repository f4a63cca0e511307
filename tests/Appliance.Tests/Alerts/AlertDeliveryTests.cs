using System.Diagnostics;
using System.Diagnostics.Metrics;
using Appliance.Alerts;
using Appliance.Audit;
using Appliance.Common;
using Appliance.Tests.Audit;
using Appliance.Tests.EndToEnd;
using Appliance.Tests.Support;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Tests.Alerts;

/// <summary>An alert reaches the webhook (with retries), the audit log, the LED event and the metrics; signing never waits for it.</summary>
public sealed class AlertDeliveryTests
{
    private static Alert Sample => new(AlertRuleNames.TokenRemoved, DateTimeOffset.UtcNow, "the hardware key was removed");

    [Fact]
    public async Task The_webhook_is_retried_with_backoff_until_it_accepts()
    {
        await using var receiver = await WebhookReceiver.StartAsync(failFirst: 2);
        await using (var sender = new WebhookSender(receiver.Url, "software-test", TimeProvider.System, NullLogger.Instance)
                     { FirstRetry = TimeSpan.FromMilliseconds(20) })
        {
            sender.Enqueue(Sample);
            await AuditChainTests.WaitUntil(() => !receiver.Received.IsEmpty);
        }
        Assert.Equal(3, receiver.Attempts);
        var json = Assert.Single(receiver.Received);
        Assert.Equal("token_removed", json.GetProperty("rule").GetString());
        Assert.Equal("the hardware key was removed", json.GetProperty("message").GetString());
        Assert.Equal("software-test", json.GetProperty("appliance").GetString());
    }

    [Fact]
    public async Task The_webhook_gives_up_after_its_attempts_and_goes_on_with_the_next_alert()
    {
        await using var receiver = await WebhookReceiver.StartAsync(failFirst: 3);
        await using var sender = new WebhookSender(receiver.Url, "x", TimeProvider.System, NullLogger.Instance)
            { FirstRetry = TimeSpan.FromMilliseconds(10), MaxAttempts = 3 };
        sender.Enqueue(Sample);
        sender.Enqueue(Sample with { Rule = AlertRuleNames.NewBot });
        await AuditChainTests.WaitUntil(() => !receiver.Received.IsEmpty);
        Assert.Equal("new_bot", Assert.Single(receiver.Received).GetProperty("rule").GetString());
    }

    [Fact]
    public async Task An_unreachable_webhook_never_slows_signing()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var dead = receiver.Url;
        await receiver.DisposeAsync(); // nothing listens there now
        await using var appliance = await TestAppliance.StartAsync(s => s with { Config = s.Config with { Alerts = new AlertOptions { Webhook = dead.ToString() } } });
        using var client = appliance.Client();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 3; i++)
            await Assert.ThrowsAsync<RpcException>(() => client.SendAsync("POST", "/v1/withdraws/krw", [new("amount", "10000"), new("two_factor_type", "kakao")]));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_withdrawal_request_alerts_through_webhook_audit_event_and_metric()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var appliance = await TestAppliance.StartAsync(s => s with { Config = s.Config with { Alerts = new AlertOptions { Webhook = receiver.Url.ToString() } } });
        var raised = new List<Alert>();
        appliance.Server.Alerts.AlertRaised += a => { lock (raised) raised.Add(a); };
        long counted = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) => { if (instrument.Name == "alerts") l.EnableMeasurementEvents(instrument); };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags) if (tag is { Key: "rule", Value: "withdrawal" }) Interlocked.Add(ref counted, value);
        });
        listener.Start();
        using var client = appliance.Client();

        await client.SendAsync("GET", "/v1/accounts", []);
        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.ScopeDenied,
            () => client.SendAsync("POST", "/v1/withdraws/coin", [new("currency", "BTC"), new("net_type", "BTC"), new("amount", "0.5"), new("address", "bc1qattacker")]));

        await AuditChainTests.WaitUntil(() => !receiver.Received.IsEmpty);
        var json = Assert.Single(receiver.Received);
        Assert.Equal("withdrawal", json.GetProperty("rule").GetString());
        Assert.Equal("demo-bot", json.GetProperty("bot").GetString());
        Assert.Contains("address=bc1qattacker", json.GetProperty("message").GetString());
        lock (raised) Assert.Single(raised, a => a.Rule == AlertRuleNames.Withdrawal);
        Assert.True(Interlocked.Read(ref counted) >= 1);
        await AuditChainTests.WaitUntil(() => AuditReader.ReadAll(appliance.Data.AuditDir).Any(r => r.Entry.Kind == AuditKind.Alert));
        var record = AuditReader.ReadAll(appliance.Data.AuditDir).Single(r => r.Entry.Kind == AuditKind.Alert);
        Assert.Equal("withdrawal", record.Entry.Reason);
        Assert.Equal("demo-bot", record.Entry.Bot);
    }

    [Fact]
    public async Task A_bot_added_while_running_alerts()
    {
        await using var appliance = await TestAppliance.StartAsync();
        var raised = new List<Alert>();
        appliance.Server.Alerts.AlertRaised += a => { lock (raised) raised.Add(a); };
        new global::Appliance.Provisioning.BotEnrollment(appliance.Data, TimeProvider.System).Add(new global::Appliance.Provisioning.BotRequest("late-bot", "demo", ["view-assets"]), TestAppliance.BundleFor(appliance.Data, "late-bot"));
        await AuditChainTests.WaitUntil(() => { lock (raised) return raised.Any(a => a.Rule == AlertRuleNames.NewBot && a.Bot == "late-bot"); });
        lock (raised) Assert.DoesNotContain(raised, a => a.Bot == "demo-bot"); // known at start: not new
    }

    [Fact]
    public async Task Pulling_the_token_alerts()
    {
        await using var appliance = await TestAppliance.StartAsync();
        var raised = new List<Alert>();
        appliance.Server.Alerts.AlertRaised += a => { lock (raised) raised.Add(a); };
        appliance.Server.State.TokenPresent = false;
        lock (raised) Assert.Single(raised, a => a.Rule == AlertRuleNames.TokenRemoved);
    }
}
