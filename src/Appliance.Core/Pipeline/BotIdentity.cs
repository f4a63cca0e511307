using Appliance.Common;
using Appliance.Policy;

namespace Appliance.Pipeline;

/// <summary>
/// Step 1: who is calling. The bot is its certificate's SHA-256 thumbprint, pinned in its profile
/// when <c>bots add</c> issued it, so a certificate from any other CA simply matches no bot.
/// </summary>
public static class BotIdentity
{
    public static BotProfile Identify(BotRegistry bots, SignCall call, DateTimeOffset now)
    {
        if (call.ClientCertificate is null)
            throw new SignRefusal(RefusalKind.Unauthenticated, Reasons.NoClientCertificate,
                "No client certificate was presented; connect with the bot.pem and bot.key from 'appliance bots add'.");
        var thumbprint = Thumbprints.Sha256Hex(call.ClientCertificate);
        if (!bots.TryGet(thumbprint, out var bot))
            throw new SignRefusal(RefusalKind.Unauthenticated, Reasons.UnknownBot,
                "This client certificate belongs to no bot on this appliance; use a bundle written by 'appliance bots add'.");
        if (bot.Revoked is not null)
            throw new SignRefusal(RefusalKind.Unauthenticated, Reasons.BotRevoked,
                $"Bot '{bot.Name}' was revoked; ask the operator for a new bundle ('appliance bots renew {bot.Name}').");
        if (now > bot.CertExpires || now < call.ClientCertificate.NotBefore.ToUniversalTime())
            throw new SignRefusal(RefusalKind.Unauthenticated, Reasons.BotRevoked,
                $"Bot '{bot.Name}''s certificate is outside its validity period; renew it with 'appliance bots renew {bot.Name}'.");
        if (!bot.AllowsIp(call.PeerAddress))
            throw SignRefusal.Denied(Reasons.IpNotAllowed,
                $"Bot '{bot.Name}' may not connect from {call.PeerAddress}; add the address with 'bots add --allow-ip' or connect from an allowed host.");
        return bot;
    }
}
