using System.Security.Cryptography;
using System.Text;
using Appliance.Common;
using Appliance.Credentials;
using Appliance.Orders;
using Appliance.Policy;
using Appliance.Upbit;

namespace Appliance.Pipeline;

/// <summary>
/// The request pipeline of DESIGN.md, read top to bottom: identify, validate, authorize, approve, sign
/// (for a touch-gated credential the touch unseal), audit (durable), send, outcome, account. Every
/// request ends as sent, signed (a detached token), denied or failed, with one decision record and one
/// metric. Knows nothing of gRPC or HTTP: refusals are <see cref="SignRefusal"/>, which the transports map.
/// </summary>
public sealed class RequestPipeline(
    BotRegistry bots,
    KeyRing keys,
    ApplianceState state,
    PipelineGuards guards,
    IApprovalGate approvals,
    IAuditSink audit,
    IUpbitUpstream upstream,
    DecisionObservers observers,
    SignerOptions options,
    TimeProvider time)
{
    /// <summary>The pseudo-path under which private WebSocket tokens are audited.</summary>
    public const string WebSocketPath = "/websocket/v1/private";

    /// <summary>Judges the request, signs it, sends it to Upbit and returns Upbit's answer.</summary>
    public async Task<SendResult> SendAsync(BotCall call, CancellationToken cancellationToken)
    {
        var run = new RequestRun(call, NewAuditId(), time.GetTimestamp());
        try
        {
            // 1. Identify: a known bot's certificate, not revoked or expired, from an allowed address.
            run.Bot = Identify(run);
            if (call.Malformed is { } malformed) throw malformed;
            await guards.Restored.WaitAsync(cancellationToken);
            // Never twice: an id seen before gets the earlier answer, found before the freshness check
            // so that a retry carrying its original client_time still finds it.
            if (call.RequestId is { Length: > 0 } requestId)
            {
                RequestFreshness.CheckRequestId(requestId);
                var credential = string.IsNullOrEmpty(call.Credential) ? run.Bot.Credential : call.Credential;
                var claim = guards.Sent.Claim(run.Bot.Name, requestId,
                    SentRequests.Fingerprint(run.Bot.Name, requestId, call.Method, call.Path, credential, call.Params));
                if (claim.Earlier is { } earlier) return await run.Replay(earlier.WaitAsync(cancellationToken));
                run.Ticket = claim.Ticket;
            }

            // 2. Validate: the appliance can send, the client clock (when given) is close, the request fits the catalog.
            state.EnsureCanSign();
            RequestFreshness.CheckClientTime(call.ClientTime, time.GetUtcNow(), options.ClockSkew, required: false);
            run.Endpoint = RequestValidator.Validate(call.Method, call.Path, call.Params);

            // 3. Authorize: credential, scopes, markets, caps, order ownership, withdrawal rules, rates.
            Authorize(run);

            // 4. Approve and 5. sign (a touch-gated credential's touch is both): the exact request, its token.
            var canonical = Prepare(run);
            var jwt = await ApproveAndSignAsync(run, canonical, cancellationToken);
            EnsureTimeToSend(call);

            // 6. Audit, durably, before anything leaves. Up to here a caller that went away cancels the request;
            // from here on it changes nothing: the request completes and its answer is kept for a retry.
            cancellationToken.ThrowIfCancellationRequested();
            await RecordDecisionAsync(run, Outcome.Sent, jwt);

            // 7. Send exactly what was judged, and 8. record what Upbit answered.
            var answer = await upstream.SendAsync(
                new UpstreamRequest(run.Endpoint.Method, run.Endpoint.Path, canonical.UrlQuery, canonical.BodyJson, "Bearer " + jwt),
                call.Deadline, CancellationToken.None);
            return Conclude(run, answer);
        }
        catch (Exception e)
        {
            throw await FailAsync(run, e);
        }
        finally
        {
            // 9. Account.
            Account(run);
        }
    }

    /// <summary>A detached token (bots added with --detached only): judged and audited like Send, but the bot sends it.</summary>
    public async Task<SignResult> SignAsync(BotCall call, CancellationToken cancellationToken)
    {
        var run = new RequestRun(call, NewAuditId(), time.GetTimestamp());
        try
        {
            run.Bot = Identify(run);
            RequestFreshness.CheckRequestId(call.RequestId);
            RequestFreshness.CheckClientTime(call.ClientTime, time.GetUtcNow(), options.ClockSkew, required: true);
            guards.Replay.Admit(run.Bot.Name, call.RequestId!);
            await guards.Restored.WaitAsync(cancellationToken); // order owners
            state.EnsureCanSign();
            run.Endpoint = call.Kind == CallKind.SignWebSocket ? null : RequestValidator.Validate(call.Method, call.Path, call.Params);
            Authorize(run);
            var canonical = Prepare(run);
            var jwt = await ApproveAndSignAsync(run, canonical, cancellationToken);
            await RecordDecisionAsync(run, Outcome.Signed, jwt);
            return new SignResult("Bearer " + jwt, canonical.UrlQuery, canonical.BodyJson, canonical.QueryString, run.AuditId,
                Wire.Name(run.Approval.Mode)) { ApprovalWaited = run.Approval.Waited };
        }
        catch (Exception e)
        {
            throw await FailAsync(run, e);
        }
        finally
        {
            Account(run);
        }
    }

    // --- the steps ----------------------------------------------------------------------------------

    private BotProfile Identify(RequestRun run)
    {
        // A known bot is named in the decision record even when its standing refuses it; a stranger never is.
        run.Bot = BotIdentity.Find(bots, run.Call.ClientCertificate);
        BotIdentity.CheckStanding(run.Bot, run.Call.ClientCertificate!, run.Call.PeerAddress, time.GetUtcNow());
        return run.Bot;
    }

    private void Authorize(RequestRun run)
    {
        var bot = run.Bot!;
        if (string.IsNullOrEmpty(run.Credential)) run.Credential = bot.Credential;
        Authorizer.CheckCredential(bot, run.Credential);
        var credential = keys.Vault.Metadata(run.Credential);
        run.Pocket = credential.Pocket;
        if (run.Call.Kind != CallKind.Send) DetachedTokens.Check(bot, credential, bots.All, approvals);
        if (run.Endpoint is not { } endpoint)
        {
            // The private WebSocket token: any view scope (the token carries no parameters).
            if (!bot.Scopes.Contains(Wire.Name(Scope.ViewOrders)) && !bot.Scopes.Contains(Wire.Name(Scope.ViewAssets)))
                throw Refusals.ScopeDenied("The private WebSocket", "view-orders or view-assets", bot.Name);
            return;
        }
        Authorizer.Authorize(bot, endpoint, run.Call.Params, run.Credential, credential.Scopes,
            OrderOwnership.PlacedVolume(endpoint, run.Call.Params, guards.Orders));
        OrderOwnership.Check(bot, endpoint, run.Call.Params, guards.Orders);
        // Address allowlist and caps refuse before anyone is asked to approve.
        run.Reservation = guards.Withdrawals.Reserve(bot, endpoint, run.Call.Params);
        // The bot's own rate first, then its fair share of its pocket's Upbit groups (Upbit counts per pocket).
        guards.Rates.Admit(bot.Name, BotRate.Of(bot), run.Pocket, endpoint.RateGroup);
    }

    /// <summary>The exact request: the bot's params, plus the order identifier the appliance adds when missing.</summary>
    private CanonicalRequest Prepare(RequestRun run)
    {
        if (run.Endpoint is not { } endpoint) return CanonicalRequest.Empty;
        (run.Params, run.Identifier) = OrderIdentifiers.Ensure(endpoint, run.Call.Params, run.Bot!.Name, run.Call.RequestId);
        return CanonicalRequest.Build(endpoint, run.Params);
    }

    private async Task<string> ApproveAndSignAsync(RequestRun run, CanonicalRequest canonical, CancellationToken cancellationToken)
    {
        var nonce = Guid.NewGuid();
        run.Nonce = UpbitJwt.FormatNonce(nonce);
        string Make(Sealing.CredentialMetadata meta, ReadOnlySpan<byte> secret) => run.Endpoint is null
            ? UpbitJwt.CreateForWebSocket(meta.AccessKey, secret, nonce, options.JwtAlgorithm)
            : UpbitJwt.Create(meta.AccessKey, secret, canonical.QueryString, nonce, options.JwtAlgorithm);
        string jwt;
        // Above appliance.json's two-step threshold, the approve button first, then a touch.
        var twoStep = run.Endpoint is { } moving && approvals.NeedsTwoSteps(moving, run.Params);
        if (keys.Touch.Gates(run.Credential))
        {
            if (run.Endpoint is null) throw Refusals.TouchOnly(run.Credential);
            // The touch that unseals a withdraw-capable secret is the approval, shown on the panel like a button's.
            (jwt, run.Approval) = await approvals.ApproveByTouchAsync(Ask(run, run.Endpoint, twoStep),
                ct => keys.Touch.UseSecretAsync(run.Credential, Make, ct), cancellationToken);
        }
        else if (twoStep)
        {
            // A held secret needs no touch to unseal, so step 2 is the policy key signing this exact request (touch always).
            var digest = ApprovalDigest(run, canonical);
            (_, run.Approval) = await approvals.ApproveByTouchAsync(Ask(run, run.Endpoint!, twoStep),
                ct => keys.Touch.ConfirmAsync(digest, ct), cancellationToken);
            jwt = keys.UseSecret(run.Credential, Make);
        }
        else
        {
            if (run.Endpoint is { } endpoint && approvals.Requires(endpoint, run.Params))
                run.Approval = await approvals.ApproveAsync(Ask(run, endpoint), cancellationToken);
            jwt = keys.UseSecret(run.Credential, Make);
        }
        if (run.Approval.Mode != Sealing.ApprovalMode.None)
        {
            // Much can change while a person decides: the bot revoked, the appliance paused or its key pulled.
            run.Bot = Identify(run);
            state.EnsureCanSign();
        }
        return jwt;
    }

    /// <summary>After an approval, refuse before sending (not after) when the caller's deadline leaves too little time.</summary>
    private void EnsureTimeToSend(BotCall call)
    {
        if (call.Deadline is { } deadline && deadline - time.GetUtcNow() < options.MinimumSendTime) throw Refusals.DeadlineTooShort();
    }

    private async Task RecordDecisionAsync(RequestRun run, Outcome outcome, string jwt)
    {
        run.TokenSha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(jwt)));
        var decision = run.Decide(outcome, null, time.GetUtcNow());
        await audit.RecordAsync(decision, CancellationToken.None); // throws when not durable: nothing leaves
        run.Recorded = decision;
        run.Outcome = outcome;
        run.Reservation?.Commit();
        if (run.Identifier is { } identifier)
            guards.Orders.Placed(run.Bot!.Name, identifier, OrderFacts.Market(run.Params), OrderFacts.Volume(run.Endpoint!, run.Params), decision.Time);
    }

    private SendResult Conclude(RequestRun run, UpstreamAnswer answer)
    {
        var facts = OrderFacts.FromAnswer(run.Endpoint!, answer);
        guards.Rates.Observe(run.Pocket, run.Endpoint!.RateGroup, answer.Status, answer.Header("remaining-req"),
            int.TryParse(answer.Header("retry-after"), out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : null);
        if (run.Identifier is { } identifier && facts.Uuid is { } uuid) guards.Orders.Answered(identifier, uuid);
        audit.RecordOutcome(new SendOutcome(run.AuditId, time.GetUtcNow(), run.Bot!.Name, answer.Status, facts.UpbitError, facts.Uuid, run.Identifier, null));
        run.HttpStatus = answer.Status;
        var result = new SendResult(answer.Status, answer.Body, answer.Headers, run.AuditId, Wire.Name(run.Approval.Mode)) { ApprovalWaited = run.Approval.Waited };
        run.Ticket?.Answered(result);
        return result;
    }

    /// <summary>Ends a request that did not complete: its record (decision, or outcome if it was sent), and what the caller gets.</summary>
    private async Task<Exception> FailAsync(RequestRun run, Exception e)
    {
        var refusal = e switch
        {
            SignRefusal r => r,
            UpstreamException { Failure: UpstreamFailure.NotSent } => Refusals.UpstreamUnavailable(),
            UpstreamException { Failure: UpstreamFailure.TooLarge } => Refusals.UpstreamTooLarge(options.MaxUpstreamBytes),
            UpstreamException => Refusals.OutcomeUnknown(run.Identifier),
            _ => null,
        };
        run.Failure = refusal?.Reason ?? (e is OperationCanceledException ? "CANCELLED" : e.GetType().Name);
        run.Outcome = refusal is null || run.Recorded is not null ? Outcome.Failed : Outcome.Denied;
        if (run.Recorded is not null)
        {
            // It left (or may have): the decision stands; what happened goes in the outcome record.
            audit.RecordOutcome(new SendOutcome(run.AuditId, time.GetUtcNow(), run.Bot!.Name, null, null, null, run.Identifier, run.Failure));
            if (refusal?.Reason == Reasons.UpstreamUnavailable) run.Ticket?.NotSent(refusal);
            else run.Ticket?.Unknown(refusal ?? Refusals.OutcomeUnknown(run.Identifier));
            return refusal ?? e;
        }
        run.Ticket?.NotSent(refusal ?? e);
        run.Reservation?.Dispose();
        if (refusal is not null && BotIdentity.IsUnknownPeer(refusal)) return refusal; // counted in Account, never named
        // A refusal that cannot be audited is still a refusal; the audit log raises its own alarm.
        try { await audit.RecordAsync(run.Decide(run.Outcome, run.Failure, time.GetUtcNow()), CancellationToken.None); }
        catch (Exception auditError) when (auditError is IOException or InvalidOperationException or SignRefusal) { }
        return refusal ?? e;
    }

    private void Account(RequestRun run)
    {
        var elapsed = time.GetElapsedTime(run.Started);
        if (run.Bot is null && run.Failure is Reasons.UnknownBot or Reasons.NoClientCertificate)
        {
            observers.Metrics.UnknownPeer();
            observers.Alerts.UnknownPeer();
            observers.Log.UnknownPeer();
            return;
        }
        var decision = run.Decide(run.Outcome, run.Failure, time.GetUtcNow());
        observers.Metrics.Observe(decision, elapsed);
        observers.Alerts.Observe(decision, elapsed);
        observers.Panel.Observe(decision, elapsed);
        observers.Log.Observe(decision, elapsed);
    }

    private static ApprovalRequest Ask(RequestRun run, Endpoint endpoint, bool twoStep = false) =>
        new(run.Bot!.Name, run.Credential, endpoint, run.Params) { Deadline = run.Call.Deadline, TwoStep = twoStep };

    /// <summary>What the policy key signs at step 2 of a two-step approval: this request and no other.</summary>
    private static byte[] ApprovalDigest(RequestRun run, CanonicalRequest canonical) => SHA256.HashData(Encoding.UTF8.GetBytes(
        $"appliance/v1/approval\n{run.AuditId}\n{run.Bot!.Name}\n{run.Credential}\n{run.Endpoint!.Method} {run.Endpoint.Path}\n{canonical.QueryString}"));

    private string NewAuditId() => Guid.CreateVersion7(time.GetUtcNow()).ToString("N");
}
