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
            throw Refusals.NoClientCertificate();
        var thumbprint = Thumbprints.Sha256Hex(call.ClientCertificate);
        if (!bots.TryGet(thumbprint, out var bot))
            throw Refusals.UnknownBot();
        if (bot.Revoked is not null)
            throw Refusals.BotRevoked(bot.Name);
        if (now > bot.CertExpires || now < call.ClientCertificate.NotBefore.ToUniversalTime())
            throw Refusals.CertificateOutsideValidity(bot.Name);
        if (!bot.AllowsIp(call.PeerAddress))
            throw Refusals.IpNotAllowed(bot.Name, call.PeerAddress.ToString());
        return bot;
    }
}
