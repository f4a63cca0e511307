using Appliance.Tests.Support;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Appliance.Common;
using Appliance.Orders;
using Appliance.Pipeline;

namespace Appliance.Tests.Pipeline;

/// <summary>
/// The pipeline without Kestrel: what it sends, what it records, what it refuses, and that a
/// request leaves at most once, only after its decision is recorded.
/// </summary>
public sealed class RequestPipelineTests : IDisposable
{
    private readonly PipelineHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task Sends_exactly_the_judged_request_with_a_token_bound_to_its_query()
    {
        var result = await _h.Send("GET", "/v1/orders/chance", parameters: ("market", "KRW-BTC"));

        var sent = Assert.Single(_h.Upstream.Sent);
        Assert.Equal(("GET", "/v1/orders/chance", "market=KRW-BTC", ""), (sent.Method, sent.Path, sent.UrlQuery, sent.BodyJson));
        var payload = Payload(sent.Authorization);
        Assert.Equal("main-access", payload.GetProperty("access_key").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA512.HashData("market=KRW-BTC"u8)), payload.GetProperty("query_hash").GetString());
        Assert.Equal(200, result.HttpStatus);

        // One durable decision before the send, naming the token's nonce; one outcome after; one metric.
        var decision = Assert.Single(_h.Audit.Decisions);
        Assert.Equal(Outcome.Sent, decision.Outcome);
        Assert.Equal(payload.GetProperty("nonce").GetString(), decision.Nonce);
        Assert.Equal(200, Assert.Single(_h.Audit.Outcomes).HttpStatus);
        Assert.Equal(Outcome.Sent, Assert.Single(_h.Metrics.Seen).Outcome);
    }

    [Fact]
    public async Task A_refusal_records_one_denied_decision_and_sends_nothing()
    {
        var e = await Assert.ThrowsAsync<SignRefusal>(() => _h.Send("POST", "/v1/withdraws/krw", parameters: [("amount", "10000"), ("two_factor_type", "kakao")]));
        Assert.Equal(Reasons.ScopeDenied, e.Reason);
        Assert.Empty(_h.Upstream.Sent);
        var decision = Assert.Single(_h.Audit.Decisions);
        Assert.Equal((Outcome.Denied, Reasons.ScopeDenied), (decision.Outcome, decision.Reason));
        Assert.Equal("POST /v1/withdraws/krw", decision.Endpoint?.ToString());
        Assert.Single(_h.Metrics.Seen);
    }

    [Fact]
    public async Task Nothing_leaves_when_the_decision_cannot_be_recorded()
    {
        _h.Audit.Fail = true;
        var e = await Assert.ThrowsAsync<SignRefusal>(() => _h.Send("GET", "/v1/accounts"));
        Assert.Equal(Reasons.AuditUnavailable, e.Reason);
        Assert.Empty(_h.Upstream.Sent);
    }

    [Fact]
    public async Task The_same_request_id_is_sent_once_and_a_different_request_under_it_is_refused()
    {
        var first = await _h.Send("GET", "/v1/accounts", requestId: "r1");
        var again = await _h.Send("GET", "/v1/accounts", requestId: "r1");
        Assert.True(again.Replayed);
        Assert.Equal(first.Body.ToArray(), again.Body.ToArray());
        Assert.Single(_h.Upstream.Sent);

        var e = await Assert.ThrowsAsync<SignRefusal>(() => _h.Send("GET", "/v1/orders/chance", requestId: "r1", parameters: ("market", "KRW-BTC")));
        Assert.Equal(Reasons.RequestIdReused, e.Reason);
        Assert.Single(_h.Upstream.Sent);
    }

    [Fact]
    public async Task A_repeat_that_arrives_while_the_first_is_in_flight_waits_for_its_answer()
    {
        var release = new TaskCompletionSource<UpstreamAnswer>();
        _h.Upstream.Answer = _ => release.Task;
        var first = _h.Send("GET", "/v1/accounts", requestId: "slow");
        await Eventually.HoldsAsync(() => !_h.Upstream.Sent.IsEmpty, "the first request reached the exchange");
        var second = _h.Send("GET", "/v1/accounts", requestId: "slow");
        await Task.Delay(50);
        Assert.False(second.IsCompleted);
        release.SetResult(ScriptedUpstream.Ok("{\"a\":1}"));
        Assert.Equal((await first).Body.ToArray(), (await second).Body.ToArray());
        Assert.Single(_h.Upstream.Sent);
    }

    [Fact]
    public async Task A_lost_answer_is_OUTCOME_UNKNOWN_with_the_orders_identifier_and_is_never_sent_again()
    {
        _h.Upstream.Answer = _ => throw new UpstreamException(UpstreamFailure.OutcomeUnknown, "reset after sending");
        (string, string)[] order = [("market", "KRW-BTC"), ("side", "bid"), ("volume", "0.01"), ("price", "100000000"), ("ord_type", "limit")];
        var e = await Assert.ThrowsAsync<SignRefusal>(() => _h.Send("POST", "/v1/orders", requestId: "o1", parameters: order));
        Assert.Equal(Reasons.OutcomeUnknown, e.Reason);
        Assert.Equal(OrderIdentifiers.Derive("trader", "o1"), e.Identifier);

        _h.Upstream.Answer = null;
        var retry = await Assert.ThrowsAsync<SignRefusal>(() => _h.Send("POST", "/v1/orders", requestId: "o1", parameters: order));
        Assert.Equal(Reasons.OutcomeUnknown, retry.Reason);
        Assert.Single(_h.Upstream.Sent);
        Assert.Equal(Reasons.OutcomeUnknown, Assert.Single(_h.Audit.Outcomes).Failure);
    }

    [Fact]
    public async Task Upbit_not_reached_frees_the_request_id_for_a_retry()
    {
        _h.Upstream.Answer = _ => throw new UpstreamException(UpstreamFailure.NotSent, "connection refused");
        var e = await Assert.ThrowsAsync<SignRefusal>(() => _h.Send("GET", "/v1/accounts", requestId: "n1"));
        Assert.Equal(Reasons.UpstreamUnavailable, e.Reason);
        _h.Upstream.Answer = null;
        Assert.Equal(200, (await _h.Send("GET", "/v1/accounts", requestId: "n1")).HttpStatus);
        Assert.Equal(2, _h.Upstream.Sent.Count);
    }

    [Fact]
    public async Task A_bot_sees_and_cancels_only_its_own_orders()
    {
        _h.AddBot("other");
        _h.Upstream.Answer = r => Task.FromResult(r.Path == "/v1/orders"
            ? ScriptedUpstream.Ok("{\"uuid\":\"u-1\",\"market\":\"KRW-BTC\"}", 201)
            : ScriptedUpstream.Ok("{}"));
        await _h.Send("POST", "/v1/orders", parameters: [("market", "KRW-BTC"), ("side", "bid"), ("volume", "0.01"), ("price", "100000000"), ("ord_type", "limit")]);

        Assert.Equal(200, (await _h.Send("DELETE", "/v1/order", parameters: ("uuid", "u-1"))).HttpStatus);
        var e = await Assert.ThrowsAsync<SignRefusal>(() => _h.Send("DELETE", "/v1/order", "other", parameters: ("uuid", "u-1")));
        Assert.Equal(Reasons.OrderNotOwned, e.Reason);
        // An order the appliance never placed has no owner: refused too.
        e = await Assert.ThrowsAsync<SignRefusal>(() => _h.Send("GET", "/v1/order", parameters: ("uuid", "not-ours")));
        Assert.Equal(Reasons.OrderNotOwned, e.Reason);
        Assert.Equal(2, _h.Upstream.Sent.Count);
    }

    [Fact]
    public async Task A_caller_that_goes_away_before_the_decision_sends_nothing()
    {
        using var gone = new CancellationTokenSource();
        await gone.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            _h.Pipeline.SendAsync(_h.Call("POST", "/v1/orders", parameters: [("market", "KRW-BTC"), ("side", "bid"), ("volume", "0.01"), ("price", "100000000"), ("ord_type", "limit")]), gone.Token));
        Assert.Empty(_h.Upstream.Sent);
    }

    [Fact]
    public async Task A_revoked_bot_and_an_unknown_peer_are_refused_but_only_the_bot_is_named()
    {
        _h.Revoke("trader");
        var e = await Assert.ThrowsAsync<SignRefusal>(() => _h.Send("GET", "/v1/accounts"));
        Assert.Equal(Reasons.BotRevoked, e.Reason);
        Assert.Equal("trader", Assert.Single(_h.Audit.Decisions).Bot);

        var stranger = _h.Call("GET", "/v1/accounts") with { ClientCertificate = null };
        Assert.Equal(Reasons.NoClientCertificate, (await Assert.ThrowsAsync<SignRefusal>(() => _h.Pipeline.SendAsync(stranger, CancellationToken.None))).Reason);
        Assert.Single(_h.Audit.Decisions); // nothing recorded about a peer that is not a bot
        Assert.Equal(1, _h.Metrics.UnknownPeers);
        Assert.Empty(_h.Upstream.Sent);
    }

    [Fact]
    public async Task Detached_tokens_only_for_detached_bots_whose_credential_grants_nothing_more()
    {
        var refusal = await Assert.ThrowsAsync<SignRefusal>(() => _h.Pipeline.SignAsync(_h.Call("GET", "/v1/accounts", requestId: "s1", kind: CallKind.Sign), CancellationToken.None));
        Assert.Equal(Reasons.DetachedNotAllowed, refusal.Reason);

        // Detached, but its credential can withdraw: a token for accounts would do more than the bot may.
        _h.AddBot("wide", b => b with { Detached = true });
        refusal = await Assert.ThrowsAsync<SignRefusal>(() => _h.Pipeline.SignAsync(_h.Call("GET", "/v1/accounts", "wide", "s2", CallKind.Sign), CancellationToken.None));
        Assert.Equal(Reasons.DetachedNotAllowed, refusal.Reason);
        Assert.Contains("withdraw", refusal.Message);

        _h.AddCredential("viewer", ["view-assets"]);
        _h.AddBot("narrow", b => b with { Detached = true, Credential = "viewer", Scopes = ["view-assets"] });
        var token = await _h.Pipeline.SignAsync(_h.Call("GET", "/v1/accounts", "narrow", "s3", CallKind.Sign), CancellationToken.None);
        Assert.StartsWith("Bearer ", token.Authorization);
        Assert.Empty(_h.Upstream.Sent);
        Assert.Equal(Outcome.Signed, _h.Audit.Decisions.Last().Outcome);
    }

    [Fact]
    public async Task A_418_from_Upbit_holds_later_requests_of_that_pocket()
    {
        _h.Upstream.Answer = _ => Task.FromResult(ScriptedUpstream.Ok("", 418, ("retry-after", "30")));
        Assert.Equal(418, (await _h.Send("GET", "/v1/accounts")).HttpStatus);
        _h.Upstream.Answer = null;
        var e = await Assert.ThrowsAsync<SignRefusal>(() => _h.Send("GET", "/v1/accounts"));
        Assert.Equal(Reasons.RateLimited, e.Reason);
        Assert.True(e.RetryAfter > TimeSpan.FromSeconds(25));
        _h.Time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(200, (await _h.Send("GET", "/v1/accounts")).HttpStatus);
    }

    private static JsonElement Payload(string authorization)
    {
        var part = authorization["Bearer ".Length..].Split('.')[1].Replace('-', '+').Replace('_', '/');
        return JsonDocument.Parse(Convert.FromBase64String(part.PadRight(part.Length + (4 - part.Length % 4) % 4, '='))).RootElement;
    }
}
