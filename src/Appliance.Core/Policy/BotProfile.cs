using System.Net;
using System.Text.Json.Serialization;
using Appliance.Upbit;

namespace Appliance.Policy;

/// <summary>
/// What one bot may do: stored as DATA_DIR/bots/NAME.json, written by <c>bots add</c>.
/// The certificate thumbprint is the bot's identity; everything else is its policy.
/// </summary>
public sealed record BotProfile
{
    [JsonPropertyName("name")] public required string Name { get; init; }

    /// <summary>Lowercase hex SHA-256 of the bot certificate's DER bytes.</summary>
    [JsonPropertyName("thumbprint")] public required string Thumbprint { get; init; }

    /// <summary>The default credential; a request may name another one only if it is listed here too.</summary>
    [JsonPropertyName("credential")] public required string Credential { get; init; }

    [JsonPropertyName("credentials")] public IReadOnlyList<string> Credentials { get; init; } = [];

    /// <summary>Upbit permission groups, as wire names: view-assets, trade, withdraw, …</summary>
    [JsonPropertyName("scopes")] public required IReadOnlyList<string> Scopes { get; init; }

    /// <summary>Markets the bot may touch (KRW-BTC, …); empty means any.</summary>
    [JsonPropertyName("markets")] public IReadOnlyList<string> Markets { get; init; } = [];

    /// <summary>CIDRs the bot may connect from.</summary>
    [JsonPropertyName("allow_ip")] public required IReadOnlyList<string> AllowIps { get; init; }

    /// <summary>Largest order in quote currency (price × volume); null means no cap.</summary>
    [JsonPropertyName("max_order_notional")] public decimal? MaxOrderNotional { get; init; }

    /// <summary>Largest order volume in base currency; null means no cap.</summary>
    [JsonPropertyName("max_order_volume")] public decimal? MaxOrderVolume { get; init; }

    /// <summary>Destinations the bot may withdraw to; a coin withdrawal anywhere else is refused.</summary>
    [JsonPropertyName("withdraw_addresses")] public IReadOnlyList<WithdrawalAddress> WithdrawAddresses { get; init; } = [];

    /// <summary>Per-withdrawal and rolling 24 h caps by currency; a currency without one is not capped.</summary>
    [JsonPropertyName("withdraw_caps")] public IReadOnlyList<WithdrawalCap> WithdrawCaps { get; init; } = [];

    /// <summary>Pockets (their UUIDs, as Upbit takes them in <c>to</c>) the bot may transfer assets to; a pocket transfer anywhere else is refused.</summary>
    [JsonPropertyName("transfer_pockets")] public IReadOnlyList<string> TransferPockets { get; init; } = [];

    /// <summary>True (bots add --detached): the bot may take detached tokens from Sign, where they grant nothing beyond its scopes.</summary>
    [JsonPropertyName("detached")] public bool Detached { get; init; }

    /// <summary>True (bots add --all-orders): the bot may see and cancel every order, not only the ones it placed.</summary>
    [JsonPropertyName("all_orders")] public bool AllOrders { get; init; }

    /// <summary>The bot's own request rate (token bucket refill per second); absent in profiles written before rates: the default.</summary>
    [JsonPropertyName("rate_per_second")] public double RatePerSecond { get; init; } = DefaultRatePerSecond;

    /// <summary>How many requests the bot may send at once after a quiet spell (token bucket size).</summary>
    [JsonPropertyName("burst")] public int Burst { get; init; } = DefaultBurst;

    [JsonPropertyName("created")] public DateTimeOffset Created { get; init; }

    [JsonPropertyName("cert_expires")] public DateTimeOffset CertExpires { get; init; }

    /// <summary>Set by <c>bots revoke</c>; a revoked bot is refused with UNAUTHENTICATED.</summary>
    [JsonPropertyName("revoked")] public DateTimeOffset? Revoked { get; init; }

    /// <summary>
    /// The policy signature (Policy/Signing): the version of this profile and the token's signature over it. Changes
    /// that widen power need a new signature; changes that narrow it keep the old one (PolicySeal.Signed).
    /// </summary>
    [JsonPropertyName("policy")] public PolicySeal? Policy { get; init; }

    /// <summary>The private ranges used when <c>bots add</c> gets no --allow-ip: the LAN, never the internet.</summary>
    public static readonly IReadOnlyList<string> DefaultAllowIps =
        ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fe80::/10"];

    /// <summary>
    /// 10/s with bursts of 20: a third of Upbit's default group (30/s per pocket), so one bot alone
    /// cannot use up a pocket that other bots share, yet an ordinary trading loop never notices.
    /// </summary>
    public const double DefaultRatePerSecond = 10;

    public const int DefaultBurst = 20;

    public const double MaxRatePerSecond = 1000;

    public const int MaxBurst = 10_000;

    /// <summary>Null when the rate and burst are usable; else what is wrong, naming the flag that sets it.</summary>
    public static string? RateProblem(double perSecond, int burst)
    {
        if (!double.IsFinite(perSecond) || perSecond <= 0 || perSecond > MaxRatePerSecond)
            return $"rate {perSecond} per second is out of range; give --rate as N/s with N above 0 and at most {MaxRatePerSecond}, e.g. --rate 10/s";
        if (burst is < 1 or > MaxBurst)
            return $"burst {burst} is out of range; give --burst as a whole number from 1 to {MaxBurst}, e.g. --burst 20";
        return null;
    }

    public bool AllowsCredential(string credential) =>
        credential == Credential || Credentials.Contains(credential, StringComparer.Ordinal);

    public bool AllowsIp(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        foreach (var cidr in AllowIps)
        {
            if (IPNetwork.TryParse(cidr, out var network) && network.Contains(address))
                return true;
        }
        return false;
    }
}
