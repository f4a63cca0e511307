using System.Security.Cryptography;
using System.Text;
using Appliance.Approval;
using Appliance.Audit;
using Appliance.Common;
using Appliance.Credentials;
using Appliance.Policy;
using Appliance.Upbit;

namespace Appliance.Signing;

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
    IApprovalGate approvals,
    IAuditSink audit,
    SignMetrics metrics,
    SignerOptions options,
    TimeProvider time)
{
    /// <summary>The pseudo-path under which private WebSocket tokens are audited.</summary>
    public const string WebSocketPath = "/websocket/v1/private";

    public Task<SignResult> SignAsync(SignCall call, CancellationToken cancellationToken) =>
        RunAsync(call, async (bot, credential, approve) =>
        {
            var endpoint = RequestValidator.Validate(call.Method, call.Path, call.Params);
            Admit(bot, call);
            Authorizer.Authorize(bot, endpoint, call.Params, credential, vault.Metadata(credential).Scopes);
            if (approvals.Requires(endpoint, call.Params))
                approve(await approvals.ApproveAsync(new ApprovalRequest(bot.Name, credential, endpoint, call.Params), cancellationToken));
            var canonical = CanonicalRequest.Build(endpoint, call.Params);
            return new Prepared(canonical.UrlQuery, canonical.BodyJson, canonical.QueryString,
                (ak, secret, nonce) => UpbitJwt.Create(ak, secret, canonical.QueryString, nonce, options.JwtAlgorithm));
        }, cancellationToken);

    /// <summary>A token for Upbit's private WebSocket: access_key and nonce only; needs a view scope.</summary>
    public Task<SignResult> SignWebSocketAsync(SignCall call, CancellationToken cancellationToken) =>
        RunAsync(call, (bot, credential, _) =>
        {
            Admit(bot, call);
            string[] views = [Scopes.ToWire(Scope.ViewOrders), Scopes.ToWire(Scope.ViewAssets)];
            if (!bot.Scopes.Any(views.Contains))
                throw SignRefusal.Denied(Reasons.ScopeDenied,
                    $"The private WebSocket needs scope view-orders or view-assets, which bot '{bot.Name}' lacks; re-add the bot with one of them.");
            return Task.FromResult(new Prepared("", "", "",
                (ak, secret, nonce) => UpbitJwt.CreateForWebSocket(ak, secret, nonce, options.JwtAlgorithm)));
        }, cancellationToken);

    private delegate string TokenMaker(string accessKey, ReadOnlySpan<byte> secret, Guid nonce);

    /// <summary>What the checks hand to the signing step: the exact request, and how to make its token.</summary>
    private sealed record Prepared(string UrlQuery, string BodyJson, string QueryString, TokenMaker Make);

    private delegate Task<Prepared> Stage(
        BotProfile bot, string credential, Action<ApprovalGrant> approve);

    private async Task<SignResult> RunAsync(SignCall call, Stage checks, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var auditId = Guid.CreateVersion7(time.GetUtcNow()).ToString("N");
        BotProfile? bot = null;
        var credential = call.Credential;
        var approval = ApprovalGrant.NotNeeded;
        try
        {
            bot = BotIdentity.Identify(bots, call, time.GetUtcNow());
            if (string.IsNullOrEmpty(credential)) credential = bot.Credential;
            Authorizer.CheckCredential(bot, credential);
            state.EnsureCanSign();
            RequestFreshness.Check(call, time.GetUtcNow(), options.ClockSkew);
            var prepared = await checks(bot, credential, grant => approval = grant);
            var nonce = Guid.NewGuid();
            var jwt = vault.UseSecret(credential, (meta, secret) => prepared.Make(meta.AccessKey, secret, nonce));
            // The token leaves only after its record is durable: if audit throws, nothing is returned.
            var decision = Decide(auditId, Outcome.Signed, null, bot, call, credential, approval, nonce.ToString(), Sha256Hex(jwt));
            await audit.RecordAsync(decision, cancellationToken);
            metrics.Record(decision, time.GetElapsedTime(started));
            return new SignResult("Bearer " + jwt, prepared.UrlQuery, prepared.BodyJson, prepared.QueryString, auditId, approval.Mode);
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
    }

    private void Admit(BotProfile bot, SignCall call) => replay.Admit(bot.Name, call.RequestId);

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
