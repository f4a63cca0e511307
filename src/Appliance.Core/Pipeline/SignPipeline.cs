using System.Security.Cryptography;
using System.Text;
using Appliance.Approval;
using Appliance.Audit;
using Appliance.Common;
using Appliance.Credentials;
using Appliance.Policy;
using Appliance.Token;
using Appliance.Upbit;

namespace Appliance.Pipeline;

/// <summary>
/// The sign pipeline of DESIGN.md: identify, validate, authorize, approve, audit, sign, account.
/// Every call ends as signed, denied or failed, with exactly one audit record and one metric.
/// Knows nothing of gRPC: refusals are SignRefusal, which the transport maps to a status.
/// </summary>
public sealed class SignPipeline(
    BotRegistry bots,
    CredentialVault vault,
    ApplianceState state,
    ReplayGuard replay,
    UpbitRateGuard rates,
    IApprovalGate approvals,
    WithdrawalPolicy withdrawals,
    IAuditSink audit,
    SignMetrics metrics,
    SignerOptions options,
    TimeProvider time,
    TouchUnsealer touch)
{
    /// <summary>The pseudo-path under which private WebSocket tokens are audited.</summary>
    public const string WebSocketPath = "/websocket/v1/private";

    public Task<SignResult> SignAsync(SignCall call, CancellationToken cancellationToken) =>
        RunAsync(call, async (bot, credential, approve) =>
        {
            var endpoint = RequestValidator.Validate(call.Method, call.Path, call.Params);
            Admit(bot, call);
            Authorizer.Authorize(bot, endpoint, call.Params, credential, vault.Metadata(credential).Scopes);
            // Address allowlist and caps refuse before anyone is asked to approve.
            var reservation = withdrawals.Reserve(bot, endpoint, call.Params);
            try
            {
                // A touch-gated credential's touch is its approval: no button as well.
                if (approvals.Requires(endpoint, call.Params) && !touch.Gates(credential))
                {
                    approve(await approvals.ApproveAsync(
                        new ApprovalRequest(bot.Name, credential, endpoint, call.Params) { Deadline = call.Deadline }, cancellationToken));
                    state.EnsureCanSign(); // paused or key pulled while it waited
                }
                rates.Admit(credential, endpoint);
                var canonical = CanonicalRequest.Build(endpoint, call.Params);
                return new Prepared(canonical.UrlQuery, canonical.BodyJson, canonical.QueryString,
                    (ak, secret, nonce) => UpbitJwt.Create(ak, secret, canonical.QueryString, nonce, options.JwtAlgorithm), reservation);
            }
            catch
            {
                reservation?.Dispose();
                throw;
            }
        }, cancellationToken);

    /// <summary>A token for Upbit's private WebSocket: access_key and nonce only; needs a view scope.</summary>
    public Task<SignResult> SignWebSocketAsync(SignCall call, CancellationToken cancellationToken) =>
        RunAsync(call, (bot, credential, _) =>
        {
            Admit(bot, call);
            string[] views = [Scopes.ToWire(Scope.ViewOrders), Scopes.ToWire(Scope.ViewAssets)];
            if (!bot.Scopes.Any(views.Contains))
                throw Refusals.ScopeDenied("The private WebSocket", "view-orders or view-assets", bot.Name);
            return Task.FromResult(new Prepared("", "", "",
                (ak, secret, nonce) => UpbitJwt.CreateForWebSocket(ak, secret, nonce, options.JwtAlgorithm)));
        }, cancellationToken);

    private delegate string TokenMaker(string accessKey, ReadOnlySpan<byte> secret, Guid nonce);

    /// <summary>What the checks hand to the signing step: the exact request, and how to make its token.</summary>
    private sealed record Prepared(string UrlQuery, string BodyJson, string QueryString, TokenMaker Make,
        WithdrawalReservation? Reservation = null);

    private delegate Task<Prepared> Stage(
        BotProfile bot, string credential, Action<ApprovalGrant> approve);

    private async Task<SignResult> RunAsync(SignCall call, Stage checks, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var auditId = Guid.CreateVersion7(time.GetUtcNow()).ToString("N");
        BotProfile? bot = null;
        var credential = call.Credential;
        var approval = ApprovalGrant.NotNeeded;
        Prepared? prepared = null;
        try
        {
            bot = BotIdentity.Identify(bots, call, time.GetUtcNow());
            if (string.IsNullOrEmpty(credential)) credential = bot.Credential;
            Authorizer.CheckCredential(bot, credential);
            state.EnsureCanSign();
            RequestFreshness.Check(call, time.GetUtcNow(), options.ClockSkew);
            prepared = await checks(bot, credential, grant => approval = grant);
            var nonce = Guid.NewGuid();
            var jwt = await MakeTokenAsync(bot, call, credential, prepared, nonce, grant => approval = grant, cancellationToken);
            // The token leaves only after its record is durable: if audit throws, nothing is returned.
            var decision = Decide(auditId, Outcome.Signed, null, bot, call, credential, approval, nonce.ToString(), Sha256Hex(jwt));
            await audit.RecordAsync(decision, cancellationToken);
            metrics.Record(decision, time.GetElapsedTime(started));
            prepared.Reservation?.Commit();
            return new SignResult("Bearer " + jwt, prepared.UrlQuery, prepared.BodyJson, prepared.QueryString, auditId, approval.Mode)
            {
                ApprovalWaited = approval.Waited,
            };
        }
        catch (SignRefusal refusal)
        {
            await Finish(Decide(auditId, Outcome.Denied, refusal.Reason, bot, call, credential, approval, null, null), started);
            throw;
        }
        catch (OperationCanceledException)
        {
            await Finish(Decide(auditId, Outcome.Failed, "CANCELLED", bot, call, credential, approval, null, null), started);
            throw;
        }
        catch (Exception e)
        {
            await Finish(Decide(auditId, Outcome.Failed, e.GetType().Name, bot, call, credential, approval, null, null), started);
            throw;
        }
        finally
        {
            prepared?.Reservation?.Dispose(); // gives the amount back unless it was committed
        }
    }

    private void Admit(BotProfile bot, SignCall call) => replay.Admit(bot.Name, call.RequestId);

    // --- The secret: held in the vault, or unsealed per use by a YubiKey touch (issue 3) ---

    private async Task<string> MakeTokenAsync(BotProfile bot, SignCall call, string credential, Prepared prepared, Guid nonce,
        Action<ApprovalGrant> approve, CancellationToken cancellationToken)
    {
        if (!touch.Gates(credential))
        {
            try { return vault.UseSecret(credential, (meta, secret) => prepared.Make(meta.AccessKey, secret, nonce)); }
            catch (SignRefusal refusal) when (refusal.Reason == Reasons.Sealed && !state.TokenPresent)
            {
                state.EnsureCanSign(); // the key was pulled between the state check and here: say KEY_ABSENT, not SEALED
                throw;
            }
        }
        var (jwt, waited) = await touch.UseSecretAsync(credential, new TouchPromptInfo(bot.Name, credential, call.Method, call.Path, call.Params),
            (meta, secret) => prepared.Make(meta.AccessKey, secret, nonce), cancellationToken);
        approve(new ApprovalGrant("touch", waited));
        return jwt;
    }

    private async Task Finish(SignDecision decision, long started)
    {
        metrics.Record(decision, time.GetElapsedTime(started));
        // A refusal that cannot be audited is still a refusal; the audit sink raises its own alarm.
        try { await audit.RecordAsync(decision, CancellationToken.None); }
        catch (Exception e) when (e is IOException or InvalidOperationException or SignRefusal) { }
    }

    private SignDecision Decide(string auditId, Outcome outcome, string? reason, BotProfile? bot, SignCall call,
        string credential, ApprovalGrant approval, string? nonce, string? tokenHash) =>
        new(auditId, time.GetUtcNow(), outcome, reason, bot?.Name ?? "-", call.PeerAddress.ToString(), credential,
            call.Method, call.Path, call.Params, approval.Mode, nonce, tokenHash) { ApprovalWaited = approval.Waited };

    private static string Sha256Hex(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(token)));
}
