using System.Net;
using System.Security.Cryptography.X509Certificates;
using Appliance.Common;
using Appliance.Policy;

namespace Appliance.Pipeline;

/// <summary>
/// Step 1: who is calling. The bot is its certificate's SHA-256 thumbprint, pinned in its profile
/// when <c>bots add</c> issued it, so a certificate from any other CA simply matches no bot (and the
/// TLS handshake already refuses a thumbprint the registry never issued).
/// </summary>
public static class BotIdentity
{
    public static BotProfile Identify(BotRegistry bots, X509Certificate2? certificate, IPAddress peer, DateTimeOffset now)
    {
        var bot = Find(bots, certificate);
        CheckStanding(bot, certificate!, peer, now);
        return bot;
    }

    /// <summary>The bot this certificate was issued to, in whatever standing; a stranger is refused unnamed.</summary>
    public static BotProfile Find(BotRegistry bots, X509Certificate2? certificate)
    {
        if (certificate is null) throw Refusals.NoClientCertificate();
        if (!bots.TryGet(Thumbprints.Sha256Hex(certificate), out var bot)) throw Refusals.UnknownBot();
        return bot;
    }

    /// <summary>A known bot may call only while not revoked, inside its certificate's validity, from an allowed address.</summary>
    public static void CheckStanding(BotProfile bot, X509Certificate2 certificate, IPAddress peer, DateTimeOffset now)
    {
        if (bot.Revoked is not null) throw Refusals.BotRevoked(bot.Name);
        if (now > bot.CertExpires || now < certificate.NotBefore.ToUniversalTime()) throw Refusals.CertificateOutsideValidity(bot.Name);
        if (!bot.AllowsIp(peer)) throw Refusals.IpNotAllowed(bot.Name, peer.ToString());
    }

    /// <summary>True for the refusals that mean "not one of our bots": nothing about such a peer is recorded by name.</summary>
    public static bool IsUnknownPeer(SignRefusal refusal) =>
        refusal.Reason is Reasons.UnknownBot or Reasons.NoClientCertificate;
}
