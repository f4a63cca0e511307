using Appliance.Common;
using Appliance.Policy;
using Appliance.Sealing;
using Appliance.Upbit;

namespace Appliance.Pipeline;

/// <summary>
/// When a bot may take a token away (Sign, SignWebSocket). Upbit's JWT binds only the parameters, so a
/// token works at every endpoint that takes the same ones: it is safe only where the credential can do
/// nothing the bot may not. Checked by <c>bots add --detached</c> and again on every Sign, since a
/// credential can be rotated to wider scopes or shared later.
/// </summary>
public static class DetachedTokens
{
    public static void Check(BotProfile bot, CredentialMetadata credential, IEnumerable<BotProfile> allBots, IApprovalGate approvals)
    {
        if (!bot.Detached) throw Refusals.DetachedNotAllowed(bot.Name);
        if (Unsafe(bot, credential, allBots, approvals.MayRequire) is { } why) throw Refusals.DetachedUnsafe(bot.Name, why);
    }

    /// <summary>Why a detached token would grant more than the bot's policy, or null when it would not.</summary>
    public static string? Unsafe(BotProfile bot, CredentialMetadata credential, IEnumerable<BotProfile> allBots, Func<Scope, bool> mayNeedApproval)
    {
        var wider = credential.Scopes.Where(s => !bot.Scopes.Contains(s)).ToList();
        if (wider.Count > 0) return $"credential '{credential.Name}' also has {string.Join(", ", wider)}, which the bot does not";
        var moving = credential.Scopes.Where(s => s is "withdraw" or "deposit").ToList();
        if (moving.Count > 0) return $"credential '{credential.Name}' has {string.Join(", ", moving)}";
        var others = allBots.Where(b => b.Name != bot.Name && b.Revoked is null && b.AllowsCredential(credential.Name)).Select(b => b.Name).ToList();
        if (others.Count > 0) return $"credential '{credential.Name}' is shared with {string.Join(", ", others)}";
        if (bot.Markets.Count > 0) return "the bot is limited to some markets, which a token cannot enforce";
        if (bot.MaxOrderNotional is not null || bot.MaxOrderVolume is not null || bot.WithdrawCaps.Count > 0)
            return "the bot has caps, which a token cannot enforce";
        var tiered = bot.Scopes.Where(s => Wire.TryParse<Scope>(s, out var scope) && mayNeedApproval(scope)).ToList();
        if (tiered.Count > 0) return $"requests under {string.Join(", ", tiered)} may need a physical approval, which a token would skip";
        return null;
    }
}
