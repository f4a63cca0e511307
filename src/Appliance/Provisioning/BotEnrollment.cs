using Appliance.Approval;
using Appliance.Common;
using Appliance.Pipeline;
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

    /// <summary>Credentials besides the default one the bot may name in a request.</summary>
    public IReadOnlyList<string> Credentials { get; init; } = [];

    /// <summary>--detached: the bot may take tokens from Sign (refused unless a token can do nothing the bot may not).</summary>
    public bool Detached { get; init; }

    /// <summary>--all-orders: the bot may see and cancel every order, not only the ones it placed.</summary>
    public bool AllOrders { get; init; }

    /// <summary>The bot's own request rate (--rate N/s); null: <see cref="BotProfile.DefaultRatePerSecond"/>.</summary>
    public double? RatePerSecond { get; init; }

    /// <summary>Its burst (--burst B); null: <see cref="BotProfile.DefaultBurst"/>.</summary>
    public int? Burst { get; init; }
}

/// <summary>
/// Adds, renews, revokes, narrows and removes bots: issues the client certificate from the appliance CA, pins its
/// thumbprint in the bot's profile and writes the bundle the bot needs to the operator's directory, never into the
/// data dir: the appliance keeps no bot.key (only the demo keeps its own bundle). Checks everything before writing
/// anything, so a bad request changes nothing. Adding and renewing widen power, so the profile is signed with the
/// token's policy key (a touch on a YubiKey); revoking, narrowing and removing never need the token.
/// </summary>
public sealed class BotEnrollment(DataDir data, TimeProvider time, IPolicySigner? signer = null, bool anchorLater = false)
{
    private readonly BotStore _store = new(data.Root);
    private readonly PolicyRecords _records = new(data, time, signer ?? new DataDirPolicySigner(data), anchorLater);

    public BotStore Store => _store;

    /// <summary>Only <see cref="DemoSetup"/> sets this: the demo keeps its bot's bundle in its own data dir.</summary>
    internal bool BundleInDataDir { get; init; }

    public (BotProfile Profile, string BundleDir) Add(BotRequest request, string bundleDir)
    {
        BotNames.Validate(request.Name);
        var dir = BundleDirectory(bundleDir, request.Name);
        if (_store.Exists(request.Name))
            throw new InvalidOperationException($"A bot named '{request.Name}' exists; use 'bots renew {request.Name}' for a new certificate, or pick another name.");
        RequireCredential(request.Credential);
        foreach (var extra in request.Credentials) RequireCredential(extra);
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
        var rate = request.RatePerSecond ?? BotProfile.DefaultRatePerSecond;
        var burst = request.Burst ?? BotProfile.DefaultBurst;
        if (BotProfile.RateProblem(rate, burst) is { } rateProblem)
            throw new ArgumentException(char.ToUpperInvariant(rateProblem[0]) + rateProblem[1..] + ".");

        var profile = new BotProfile
        {
            Name = request.Name,
            Thumbprint = "",
            Credential = request.Credential,
            Credentials = request.Credentials.Where(c => c != request.Credential).Distinct().ToList(),
            Scopes = scopes,
            Markets = request.Markets,
            AllowIps = allowIps,
            MaxOrderNotional = request.MaxOrderNotional,
            MaxOrderVolume = request.MaxOrderVolume,
            WithdrawAddresses = Stamp(request.WithdrawAddresses, []),
            WithdrawCaps = request.WithdrawCaps,
            TransferPockets = request.TransferPockets,
            Detached = request.Detached,
            AllOrders = request.AllOrders,
            RatePerSecond = rate,
            Burst = burst,
            Created = time.GetUtcNow(),
        };
        if (profile.Detached) CheckDetached(profile);
        return Issue(profile, dir);
    }

    /// <summary>A detached token works at every Upbit endpoint with the same parameters: allowed only where that grants nothing more.</summary>
    private void CheckDetached(BotProfile profile)
    {
        var credential = new CredentialStore(data.Root).TryGet(profile.Credential)
            ?? throw new InvalidOperationException($"No credential named '{profile.Credential}'; add it with 'appliance credentials add' first.");
        var approval = ApplianceConfig.Load(data.ConfigFile).Approval;
        if (DetachedTokens.Unsafe(profile, credential.Metadata, _store.LoadAll(), scope => ApprovalTiers.MayRequire(approval, scope)) is { } why)
            throw new ArgumentException($"--detached is refused: {why}. A detached token can do at Upbit whatever its credential can (e.g. a token for a call without parameters cancels all orders); use Send or the HTTPS front instead.");
    }

    /// <summary>
    /// A new certificate (and bundle) for an existing bot; the old certificate stops working, so a
    /// bundle an older version left in DATA_DIR/bundles/NAME is deleted with it.
    /// </summary>
    public (BotProfile Profile, string BundleDir) Renew(string name, string bundleDir)
    {
        var dir = BundleDirectory(bundleDir, name);
        var issued = Issue(RequireVerified(_store.Load(name)) with { Revoked = null }, dir);
        var left = Path.Combine(data.Root, "bundles", name);
        if (!BundleInDataDir && Directory.Exists(left)) Directory.Delete(left, recursive: true);
        return issued;
    }

    /// <summary>Revokes a bot: narrowing, so it needs no token, and the revocation is anchored in the audit log.</summary>
    public BotProfile Revoke(string name)
    {
        var profile = _store.Load(name);
        if (profile.Revoked is not null) return profile;
        var revoked = profile with { Revoked = time.GetUtcNow() };
        // An unsigned (or damaged) profile grants nothing anyway; mark it revoked so a later sign-all does not revive it.
        if (profile.Policy is null)
        {
            _store.Save(revoked);
            return revoked;
        }
        return _records.SaveNarrowed(profile, revoked);
    }

    /// <summary>
    /// Applies <paramref name="change"/> to a bot. A change that only narrows (lower caps, fewer scopes, markets,
    /// addresses, pockets) keeps the old signature and needs no token; one that widens anything is signed (a touch).
    /// </summary>
    public (BotProfile Profile, bool Signed) Update(string name, Func<BotProfile, BotProfile> change)
    {
        var profile = RequireVerified(_store.Load(name));
        var next = change(profile);
        next = next with { WithdrawAddresses = Stamp(next.WithdrawAddresses, profile.WithdrawAddresses) };
        Validate(next);
        if (next == profile) return (profile, false);
        var signedBase = profile.Policy?.Signed is { } s ? PolicyCanonical.Profile(s) : profile with { Policy = null };
        if (profile.Policy is not null && BotNarrowing.Widened(next, signedBase).Count == 0)
            return (_records.SaveNarrowed(profile, next), false);
        return (_records.SaveSigned(next with { Policy = null }), true);
    }

    /// <summary>
    /// Withdrawal addresses with their <c>added</c> time: one the bot already had keeps its time, a new one gets now,
    /// so its cooling-off starts when it is signed in. The time is part of what the token signs.
    /// </summary>
    private IReadOnlyList<WithdrawalAddress> Stamp(IReadOnlyList<WithdrawalAddress> addresses, IReadOnlyList<WithdrawalAddress> before)
    {
        var now = time.GetUtcNow();
        now = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        return addresses.Select(a => before.FirstOrDefault(b => b.SameDestination(a)) is { } kept
            ? a with { Added = kept.Added }
            : a with { Added = now }).ToList();
    }

    /// <summary>The addresses of <paramref name="profile"/> still in their cooling-off at <paramref name="now"/>, with when each opens.</summary>
    public static IReadOnlyList<(WithdrawalAddress Address, DateTimeOffset Opens)> Waiting(BotProfile profile, TimeSpan coolingOff, DateTimeOffset now) =>
        profile.WithdrawAddresses.Select(a => (Address: a, Opens: a.OpensAt(coolingOff)))
            .Where(x => x.Opens is { } at && at > now).Select(x => (x.Address, x.Opens!.Value)).ToList();

    /// <summary>Deletes a bot's profile (narrowing: no token) and anchors the removal.</summary>
    public void Remove(string name) => _records.RemoveBot(name);

    /// <summary>
    /// A profile that was signed but no longer verifies (edited by hand, an old copy put back) is not re-signed as a
    /// side effect of another change: the operator must look at it and approve it with <c>policy sign-all</c>.
    /// </summary>
    private BotProfile RequireVerified(BotProfile profile)
    {
        var key = PolicyRecordKey.Bot(profile.Name);
        var pinned = TokenDescriptor.Load(data.TokenFile);
        var verdict = PolicyVerifier.Bot(profile, key, pinned.PublicKey(Token.KeySlot.Policy), _records.Floors.Of(key));
        if (!verdict.Ok && !verdict.Unsigned)
            throw new InvalidOperationException($"Bot '{profile.Name}' does not verify, so it is not changed: {verdict.Problem}.");
        return profile;
    }

    private void Validate(BotProfile profile)
    {
        foreach (var scope in profile.Scopes) Scopes.Parse(scope);
        WithdrawalRules.Validate(profile.WithdrawAddresses, profile.WithdrawCaps, profile.Scopes.ToList());
        PocketTransfers.Validate(profile.TransferPockets, profile.Scopes.ToList());
        if (profile.MaxOrderNotional is <= 0 || profile.MaxOrderVolume is <= 0)
            throw new ArgumentException("Order caps must be positive numbers.");
    }

    /// <summary>The bundle goes where the operator says, and never into the data dir (bot.key must not stay on the card).</summary>
    private string BundleDirectory(string? bundleDir, string name)
    {
        if (string.IsNullOrWhiteSpace(bundleDir))
            throw new ArgumentException(
                $"Say where to write the bot's bundle with --out DIR (e.g. --out ./{name}-bundle): the bundle holds the bot's private key, " +
                "which the appliance does not keep; copy the directory to the bot host and delete it here.");
        var dir = Path.GetFullPath(bundleDir);
        if (!BundleInDataDir && PathContainment.IsWithin(dir, data.Root))
            throw new ArgumentException(
                $"--out {dir} is inside the data dir {data.Root}, and the appliance must not keep the bot's private key; " +
                $"write the bundle outside it (e.g. --out ~/{name}-bundle) and copy it to the bot host.");
        return dir;
    }

    private (BotProfile, string) Issue(BotProfile profile, string dir)
    {
        var config = ApplianceConfig.Load(data.ConfigFile);
        using var ca = ApplianceCa.Load(data.CaDir, time);
        using var certificate = ca.IssueBotCertificate(profile.Name);
        var issued = profile with
        {
            Thumbprint = Thumbprints.Sha256Hex(certificate),
            CertExpires = certificate.NotAfter.ToUniversalTime(),
        };
        // Signed before the bundle is written: without the touch, no bundle and no profile.
        var signed = _records.SaveSigned(issued with { Policy = null });
        BotBundle.Write(dir, new Uri(config.BundleEndpoint()), profile.Name, certificate, ca.Certificate);
        return (signed, dir);
    }

    private void RequireCredential(string credential)
    {
        CredentialName.Validate(credential, "credential");
        if (!new CredentialStore(data.Root).Exists(credential))
            throw new InvalidOperationException($"No credential named '{credential}'; add it first with 'appliance credentials add {credential} --access-key …'.");
    }
}
