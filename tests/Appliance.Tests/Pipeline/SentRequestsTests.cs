using System.Globalization;
using Appliance.Common;
using Appliance.Pipeline;
using Appliance.Upbit;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tests.Pipeline;

/// <summary>
/// SentRequests on its own, with a fake clock: POST/DELETE ids are kept for the whole window, GET ids only
/// for the answer window; answers are kept for the answer window under a budget; capacity counts changes only.
/// </summary>
public sealed class SentRequestsTests
{
    private static readonly UpbitParam[] Order = [new("market", "KRW-BTC"), new("side", "bid"), new("ord_type", "limit"), new("price", "1"), new("volume", "1")];
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-30T00:00:00Z", CultureInfo.InvariantCulture));

    [Fact]
    public async Task A_GET_repeat_gets_the_stored_answer_within_the_answer_window_and_is_a_new_GET_after_it()
    {
        var sent = new SentRequests(_time);
        Answer(sent.Claim("bot", "g1", Get("g1")), 200);
        _time.Advance(TimeSpan.FromMinutes(9));
        var repeat = sent.Claim("bot", "g1", Get("g1"));
        Assert.Null(repeat.Ticket);
        Assert.True((await repeat.Earlier!).Replayed);

        _time.Advance(TimeSpan.FromMinutes(2)); // 11 minutes after the answer
        Assert.NotNull(sent.Claim("bot", "g1", Get("g1")).Ticket);
    }

    [Fact]
    public async Task A_POST_repeat_after_the_answer_window_is_ALREADY_SENT_with_its_status_until_the_window_ends()
    {
        var sent = new SentRequests(_time);
        var auditId = Guid.CreateVersion7().ToString("N");
        Answer(sent.Claim("bot", "p1", Post("p1")), 201, auditId);
        _time.Advance(TimeSpan.FromMinutes(11));
        var e = await Assert.ThrowsAsync<SignRefusal>(() => sent.Claim("bot", "p1", Post("p1")).Earlier!);
        Assert.Equal(Reasons.AlreadySent, e.Reason);
        Assert.Contains("201", e.Message);
        Assert.Contains(auditId, e.Message);
        // A different request under the kept id is still REQUEST_ID_REUSED, a GET included.
        Assert.Equal(Reasons.RequestIdReused, Assert.Throws<SignRefusal>(() => sent.Claim("bot", "p1", Get("p1"))).Reason);

        _time.Advance(TimeSpan.FromHours(24) - TimeSpan.FromMinutes(12)); // just under 24 h after it was sent
        Assert.Equal(Reasons.AlreadySent, (await Assert.ThrowsAsync<SignRefusal>(() => sent.Claim("bot", "p1", Post("p1")).Earlier!)).Reason);
        _time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(2)); // past 25 h: its hour's generation is gone
        Assert.NotNull(sent.Claim("bot", "p1", Post("p1")).Ticket);
    }

    [Fact]
    public async Task A_lost_answer_stays_OUTCOME_UNKNOWN_with_its_identifier_after_the_answer_window()
    {
        var sent = new SentRequests(_time);
        sent.Claim("bot", "u1", Post("u1")).Ticket!.Unknown(Refusals.OutcomeUnknown("apl-x"));
        _time.Advance(TimeSpan.FromHours(2));
        var e = await Assert.ThrowsAsync<SignRefusal>(() => sent.Claim("bot", "u1", Post("u1")).Earlier!);
        Assert.Equal(Reasons.OutcomeUnknown, e.Reason);
        Assert.Equal("apl-x", e.Identifier);
    }

    [Fact]
    public void The_per_bot_capacity_counts_only_POST_and_DELETE_ids_and_a_request_never_sent_gives_its_id_back()
    {
        var sent = new SentRequests(_time, capacityPerBot: 2);
        for (var i = 0; i < 5; i++) Answer(sent.Claim("bot", $"g{i}", Get($"g{i}")), 200);
        Answer(sent.Claim("bot", "p1", Post("p1")), 201);
        var second = sent.Claim("bot", "p2", Post("p2")).Ticket!;
        Assert.Equal(Reasons.RateLimited, Assert.Throws<SignRefusal>(() => sent.Claim("bot", "p3", Post("p3"))).Reason);
        Assert.NotNull(sent.Claim("other", "p3", Post("p3")).Ticket); // per bot

        second.NotSent(Refusals.RateLimited("test", TimeSpan.Zero));
        Assert.NotNull(sent.Claim("bot", "p3", Post("p3")).Ticket);
    }

    [Fact]
    public async Task Past_the_answer_budget_the_oldest_answers_go_first()
    {
        var sent = new SentRequests(_time, answerBudgetBytes: 1000);
        Answer(sent.Claim("bot", "p1", Post("p1")), 201, body: 600);
        Answer(sent.Claim("bot", "g1", Get("g1")), 200, body: 600); // over budget: p1's answer goes
        Answer(sent.Claim("bot", "g2", Get("g2")), 200, body: 600); // and then g1's
        Assert.True(sent.AnswerBytes <= 1000);
        Assert.Equal(Reasons.AlreadySent, (await Assert.ThrowsAsync<SignRefusal>(() => sent.Claim("bot", "p1", Post("p1")).Earlier!)).Reason);
        Assert.NotNull(sent.Claim("bot", "g1", Get("g1")).Ticket); // a GET without its answer is simply a new GET
        Assert.True((await sent.Claim("bot", "g2", Get("g2")).Earlier!).Replayed);
    }

    [Fact]
    public async Task Restored_ids_keep_POST_for_the_window_and_GET_only_within_the_answer_window()
    {
        var sent = new SentRequests(_time);
        var now = _time.GetUtcNow();
        sent.Restore("bot", "p1", Post("p1"), now - TimeSpan.FromHours(20), Guid.CreateVersion7().ToString("N"), 201);
        sent.Restore("bot", "p2", Post("p2"), now - TimeSpan.FromHours(30), Guid.CreateVersion7().ToString("N"), 201);
        sent.Restore("bot", "g1", Get("g1"), now - TimeSpan.FromMinutes(5), Guid.CreateVersion7().ToString("N"), null);
        sent.Restore("bot", "g2", Get("g2"), now - TimeSpan.FromMinutes(30), Guid.CreateVersion7().ToString("N"), 200);
        Assert.Equal(2, sent.Count);

        Assert.Equal(Reasons.AlreadySent, (await Assert.ThrowsAsync<SignRefusal>(() => sent.Claim("bot", "p1", Post("p1")).Earlier!)).Reason);
        Assert.Equal(Reasons.OutcomeUnknown, (await Assert.ThrowsAsync<SignRefusal>(() => sent.Claim("bot", "g1", Get("g1")).Earlier!)).Reason);
        Assert.NotNull(sent.Claim("bot", "p2", Post("p2")).Ticket); // older than the window
        Assert.NotNull(sent.Claim("bot", "g2", Get("g2")).Ticket); // older than the answer window
    }

    private static RequestPrint Post(string id) => SentRequests.Fingerprint("bot", id, "POST", "/v1/orders", "main", Order);

    private static RequestPrint Get(string id) => SentRequests.Fingerprint("bot", id, "GET", "/v1/accounts", "main", []);

    private static void Answer(Claim claim, int status, string? auditId = null, int body = 10) =>
        claim.Ticket!.Answered(new SendResult(status, new byte[body], new Dictionary<string, string>(), auditId ?? Guid.CreateVersion7().ToString("N"), "none"));
}
