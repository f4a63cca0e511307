using System.Net;
using System.Security.Cryptography.X509Certificates;
using Appliance.Common;
using Appliance.Credentials;
using Appliance.Pipeline;
using Appliance.Policy;

namespace Appliance.Streams;

/// <summary>A subscription the appliance admitted: the bot, the credential whose connection carries it, and what it receives.</summary>
public sealed record StreamGrant(BotProfile Bot, string Credential, StreamSubscription Subscription, string AuditId);

/// <summary>
/// The pipeline's first steps for a subscription: identify the bot, check the appliance may sign, pick and
/// check the credential, authorize the types and markets, and record the decision durably before anything
/// reaches Upbit (one record per subscription opened or refused). Each subscription spends one token of the bot's
/// own rate, so churning subscriptions cannot flood the audit log or Upbit. A refusal is a <see cref="SignRefusal"/>.
/// </summary>
public sealed class StreamAdmission(BotRegistry bots, CredentialVault vault, ApplianceState state, IAuditSink audit, RateGuard rates, TimeProvider time)
{
    /// <summary>Identifies the caller only (the front does this before it upgrades the connection).</summary>
    public BotProfile Identify(X509Certificate2? certificate, IPAddress peer)
    {
        var bot = BotIdentity.Identify(bots, certificate, peer, time.GetUtcNow());
        state.EnsureCanSign();
        return bot;
    }

    public async Task<StreamGrant> AdmitAsync(X509Certificate2? certificate, IPAddress peer, string credential, StreamSubscription wanted)
    {
        var auditId = Guid.CreateVersion7(time.GetUtcNow()).ToString("N");
        var bot = BotIdentity.Find(bots, certificate); // unknown peers are never recorded by name
        var name = string.IsNullOrEmpty(credential) ? bot.Credential : credential;
        StreamSubscription granted;
        try
        {
            BotIdentity.CheckStanding(bot, certificate!, peer, time.GetUtcNow());
            state.EnsureCanSign();
            Authorizer.CheckCredential(bot, name);
            if (vault.IsTouchGated(name)) throw Refusals.TouchOnly(name);
            granted = StreamPolicy.Authorize(bot, wanted, name, vault.Metadata(name).Scopes);
            // Each subscription is audited and may go upstream: it spends the bot's own rate like a request.
            rates.AdmitBot(bot.Name, BotRate.Of(bot));
        }
        catch (SignRefusal refusal)
        {
            try { await audit.RecordAsync(Decision(auditId, bot, peer, name, wanted, Outcome.Denied, refusal.Reason), CancellationToken.None); }
            catch (Exception e) when (e is IOException or InvalidOperationException or SignRefusal) { } // still a refusal; the log raises its own alarm
            throw;
        }
        await audit.RecordAsync(Decision(auditId, bot, peer, name, granted, Outcome.Sent, null), CancellationToken.None); // throws when not durable
        return new StreamGrant(bot, name, granted, auditId);
    }

    private SignDecision Decision(string auditId, BotProfile bot, IPAddress peer, string credential, StreamSubscription subscription, Outcome outcome, string? reason) =>
        new(auditId, time.GetUtcNow(), outcome, reason, bot.Name, peer.ToString(), credential, "GET", RequestPipeline.WebSocketPath,
            subscription.ToParams(), "none", null, null);
}
