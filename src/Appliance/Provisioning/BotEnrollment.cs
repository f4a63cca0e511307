using Appliance.Config;
using Appliance.Pki;
using Appliance.Policy;
using Appliance.Sealing;
using Appliance.Upbit;

namespace Appliance.Provisioning;

/// <summary>What the operator asks for in <c>bots add</c>.</summary>
public sealed record BotRequest(string Name, string Credential, IReadOnlyList<string> Scopes)
{
    public IReadOnlyList<string> Markets { get; init; } = [];
    public IReadOnlyList<string> AllowIps { get; init; } = [];
    public decimal? MaxOrderNotional { get; init; }
    public decimal? MaxOrderVolume { get; init; }
    public IReadOnlyList<WithdrawalAddress> WithdrawAddresses { get; init; } = [];
    public IReadOnlyList<WithdrawalCap> WithdrawCaps { get; init; } = [];
    public IReadOnlyList<string> TransferPockets { get; init; } = [];
}

/// <summary>
/// Adds, renews and revokes bots: issues the client certificate from the appliance CA, pins its
/// thumbprint in the bot's profile and writes the bundle the bot needs. Checks everything before
/// writing anything, so a bad request changes nothing.
/// </summary>
public sealed class BotEnrollment(DataDir data, TimeProvider time)
{
    private readonly BotStore _store = new(data.Root);

    public BotStore Store => _store;

    public (BotProfile Profile, string BundleDir) Add(BotRequest request, string? bundleDir = null)
    {
        BotNames.Validate(request.Name);
        if (_store.Exists(request.Name))
            throw new InvalidOperationException($"A bot named '{request.Name}' exists; use 'bots renew {request.Name}' for a new certificate, or pick another name.");
        RequireCredential(request.Credential);
        if (request.Scopes.Count == 0)
            throw new ArgumentException("Give the bot at least one scope with --scopes, e.g. --scopes view-assets,trade.");
        var scopes = request.Scopes.Select(s => Scopes.ToWire(Scopes.Parse(s))).Distinct().Order(StringComparer.Ordinal).ToList();
        var allowIps = request.AllowIps.Count == 0 ? BotProfile.DefaultAllowIps : request.AllowIps;
        foreach (var cidr in allowIps)
        {
            if (!System.Net.IPNetwork.TryParse(cidr, out _))
                throw new ArgumentException($"'{cidr}' is not a CIDR; use e.g. 192.168.1.20/32 or 10.0.0.0/24.");
        }
        foreach (var market in request.Markets)
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(market, "^[A-Z0-9]{2,10}-[A-Z0-9]{1,15}$"))
                throw new ArgumentException($"'{market}' is not an Upbit market code; use QUOTE-BASE such as KRW-BTC.");
        }
        if (request.MaxOrderNotional is <= 0 || request.MaxOrderVolume is <= 0)
            throw new ArgumentException("Order caps must be positive numbers.");
        WithdrawalRules.Validate(request.WithdrawAddresses, request.WithdrawCaps, scopes);
        foreach (var pocket in request.TransferPockets) PocketTransfers.Parse(pocket);
        PocketTransfers.Validate(request.TransferPockets, scopes);

        var profile = new BotProfile
        {
            Name = request.Name,
            Thumbprint = "",
            Credential = request.Credential,
            Scopes = scopes,
            Markets = request.Markets,
            AllowIps = allowIps,
            MaxOrderNotional = request.MaxOrderNotional,
            MaxOrderVolume = request.MaxOrderVolume,
            WithdrawAddresses = request.WithdrawAddresses,
            WithdrawCaps = request.WithdrawCaps,
            TransferPockets = request.TransferPockets,
            Created = time.GetUtcNow(),
        };
        return Issue(profile, bundleDir);
    }

    /// <summary>A new certificate (and bundle) for an existing bot; the old certificate stops working.</summary>
    public (BotProfile Profile, string BundleDir) Renew(string name, string? bundleDir = null) =>
        Issue(_store.Load(name) with { Revoked = null }, bundleDir);

    public BotProfile Revoke(string name)
    {
        var profile = _store.Load(name);
        if (profile.Revoked is not null) return profile;
        var revoked = profile with { Revoked = time.GetUtcNow() };
        _store.Save(revoked);
        return revoked;
    }

    private (BotProfile, string) Issue(BotProfile profile, string? bundleDir)
    {
        var config = ApplianceConfig.Load(data.ConfigFile);
        var dir = Path.GetFullPath(bundleDir ?? Path.Combine(data.Root, "bundles", profile.Name));
        using var ca = ApplianceCa.Load(data.CaDir, time);
        using var certificate = ca.IssueBotCertificate(profile.Name);
        var issued = profile with
        {
            Thumbprint = Thumbprints.Sha256Hex(certificate),
            CertExpires = certificate.NotAfter.ToUniversalTime(),
        };
        BotBundle.Write(dir, new Uri(config.BundleEndpoint()), profile.Name, certificate, ca.Certificate);
        _store.Save(issued);
        return (issued, dir);
    }

    private void RequireCredential(string credential)
    {
        CredentialName.Validate(credential, "credential");
        if (!new CredentialStore(data.Root).Exists(credential))
            throw new InvalidOperationException($"No credential named '{credential}'; add it first with 'appliance credentials add {credential} --access-key …'.");
    }
}
