using Appliance.Audit;
using Appliance.Common;
using Appliance.Tests.Pipeline;
using Appliance.Tests.Support;

namespace Appliance.Tests.Audit;

/// <summary>Never twice across a restart: request ids and order owners come back from the audit log.</summary>
public sealed class SendHistoryTests
{
    private static readonly (string, string)[] Order =
        [("market", "KRW-BTC"), ("side", "bid"), ("volume", "0.01"), ("price", "100000000"), ("ord_type", "limit")];

    [Fact]
    public async Task After_a_crash_between_send_and_outcome_a_retry_is_never_sent_again()
    {
        List<AuditEntry> disk;
        using (var before = new PipelineHarness())
        {
            before.Upstream.Answer = r => Task.FromResult(r.Path == "/v1/orders"
                ? ScriptedUpstream.Ok("{\"uuid\":\"u-1\",\"market\":\"KRW-BTC\"}", 201)
                : ScriptedUpstream.Ok("{}"));
            await before.Send("POST", "/v1/orders", requestId: "o1", parameters: Order);
            await before.Send("GET", "/v1/accounts", requestId: "a1");
            // What the card held after kill -9: both decisions (durable before sending), but the
            // accounts request's outcome record was still in memory.
            var lost = before.Audit.Decisions.Single(d => d.Path == "/v1/accounts").AuditId;
            disk = [.. before.Audit.Decisions.Select(AuditEntry.FromDecision),
                    .. before.Audit.Outcomes.Where(o => o.AuditId != lost).Select(AuditEntry.FromOutcome)];
        }

        using var after = new PipelineHarness();
        after.AddBot("other");
        var restored = SendHistory.Restore(disk, after.Guards.Sent, after.Guards.Orders);
        Assert.Equal(new SendHistory.Restored(RequestIds: 2, Orders: 1, OutcomeUnknown: 1), restored);

        var unknown = await Assert.ThrowsAsync<SignRefusal>(() => after.Send("GET", "/v1/accounts", requestId: "a1"));
        Assert.Equal(Reasons.OutcomeUnknown, unknown.Reason);
        Assert.Null(unknown.Identifier); // not an order
        // The order went out without an identifier; the appliance derived one, and the retry (as the bot sent it) still matches.
        var known = await Assert.ThrowsAsync<SignRefusal>(() => after.Send("POST", "/v1/orders", requestId: "o1", parameters: Order));
        Assert.Equal(Reasons.AlreadySent, known.Reason);
        var reused = await Assert.ThrowsAsync<SignRefusal>(() => after.Send("GET", "/v1/orders/chance", requestId: "o1", parameters: ("market", "KRW-BTC")));
        Assert.Equal(Reasons.RequestIdReused, reused.Reason);
        Assert.Empty(after.Upstream.Sent);

        // The order's owner came back too: another bot may not cancel it, its owner may.
        var notOwned = await Assert.ThrowsAsync<SignRefusal>(() => after.Send("DELETE", "/v1/order", "other", parameters: ("uuid", "u-1")));
        Assert.Equal(Reasons.OrderNotOwned, notOwned.Reason);
        Assert.Equal(200, (await after.Send("DELETE", "/v1/order", parameters: ("uuid", "u-1"))).HttpStatus);
    }

    [Fact]
    public async Task Requests_wait_until_the_history_is_restored()
    {
        var restore = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var h = new PipelineHarness(restored: restore.Task);
        var waiting = h.Send("GET", "/v1/accounts", requestId: "w1");
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        Assert.Empty(h.Upstream.Sent);
        restore.SetResult();
        Assert.Equal(200, (await waiting).HttpStatus);
    }

    [Fact]
    public async Task A_history_that_cannot_be_read_refuses_rather_than_risk_a_second_send()
    {
        using var h = new PipelineHarness(restored: Task.FromException(Refusals.AuditUnavailable()));
        var e = await Assert.ThrowsAsync<SignRefusal>(() => h.Send("GET", "/v1/accounts", requestId: "w1"));
        Assert.Equal(Reasons.AuditUnavailable, e.Reason);
        Assert.Empty(h.Upstream.Sent);
    }
}
