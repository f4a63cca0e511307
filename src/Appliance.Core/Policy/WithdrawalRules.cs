using System.Globalization;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Appliance.Upbit;

namespace Appliance.Policy;

/// <summary>
/// One destination a bot may withdraw to: <c>CURRENCY:NET_TYPE:ADDRESS[:SECONDARY]</c> on the
/// command line. Currency and network compare without case (Upbit's codes are upper case); the
/// address and memo compare exactly, because many address formats are case-sensitive.
/// </summary>
public sealed record WithdrawalAddress(
    [property: JsonPropertyName("currency")] string Currency,
    [property: JsonPropertyName("net_type")] string NetType,
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("secondary_address")] string? SecondaryAddress = null)
{
    private const int MaxAddressLength = 128;

    /// <summary>
    /// When the address was added to the bot (the CLI stamps it, and it is signed with the profile): it may be used
    /// from <c>Added + cooling_off</c> on. Null for addresses added before cooling-off existed: usable at once.
    /// </summary>
    [JsonPropertyName("added")] public DateTimeOffset? Added { get; init; }

    /// <summary>When this address may first be used, or null when it never waited.</summary>
    public DateTimeOffset? OpensAt(TimeSpan coolingOff) => Added is { } added ? added + coolingOff : null;

    /// <summary>Same destination (currency, network, address, memo), whenever it was added.</summary>
    public bool SameDestination(WithdrawalAddress other) =>
        Matches(other.Currency, other.NetType, other.Address, other.SecondaryAddress);

    public static WithdrawalAddress Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var parts = value.Split(':');
        if (parts.Length is < 3 or > 4)
            throw new ArgumentException(
                $"--withdraw-address '{value}' must be CURRENCY:NET_TYPE:ADDRESS or CURRENCY:NET_TYPE:ADDRESS:SECONDARY, e.g. BTC:BTC:bc1q… or XRP:XRP:rAddr…:12345 (an address that itself contains ':' cannot be listed).");
        var currency = WithdrawalRules.ParseCurrency(parts[0], "--withdraw-address");
        if (currency == WithdrawalRules.Krw)
            throw new ArgumentException("KRW withdrawals go to the bank account registered at Upbit and have no address; limit them with --withdraw-cap KRW:PER_WITHDRAWAL:PER_24H.");
        if (!Regex.IsMatch(parts[1], "^[A-Za-z0-9_-]{1,32}$"))
            throw new ArgumentException($"--withdraw-address: network '{parts[1]}' is not an Upbit net_type; use the code Upbit shows for the network, e.g. BTC, ETH, TRX.");
        var address = CheckAddress(parts[2], "address");
        var secondary = parts.Length == 4 ? CheckAddress(parts[3], "secondary address (memo/tag)") : null;
        return new WithdrawalAddress(currency, parts[1].ToUpperInvariant(), address, secondary);
    }

    public bool Matches(string currency, string netType, string address, string? secondaryAddress) =>
        string.Equals(Currency, currency, StringComparison.OrdinalIgnoreCase)
        && string.Equals(NetType, netType, StringComparison.OrdinalIgnoreCase)
        && string.Equals(Address, address, StringComparison.Ordinal)
        && string.Equals(SecondaryAddress, secondaryAddress, StringComparison.Ordinal);

    public override string ToString() =>
        $"{Currency}:{NetType}:{Address}" + (SecondaryAddress is null ? "" : $":{SecondaryAddress}");

    private static string CheckAddress(string value, string what)
    {
        if (value.Length is 0 or > MaxAddressLength || !ValueChecks.IsAllSafe(value, allowComma: false))
            throw new ArgumentException(
                $"--withdraw-address: the {what} must be 1 to {MaxAddressLength} characters from [A-Za-z0-9._~+-]; copy it exactly as registered in Upbit's withdrawal allowlist.");
        return value;
    }
}

/// <summary>
/// Withdrawal caps for one currency: <c>CURRENCY:PER_WITHDRAWAL:PER_24H</c>; an empty part means
/// no cap of that kind (<c>BTC:0.5:</c>, <c>KRW::5000000</c>), but at least one must be given.
/// </summary>
public sealed record WithdrawalCap(
    [property: JsonPropertyName("currency")] string Currency,
    [property: JsonPropertyName("per_withdrawal")] decimal? PerWithdrawal,
    [property: JsonPropertyName("per_24h")] decimal? Per24Hours)
{
    public static WithdrawalCap Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var parts = value.Split(':');
        if (parts.Length != 3)
            throw new ArgumentException($"--withdraw-cap '{value}' must be CURRENCY:PER_WITHDRAWAL:PER_24H, e.g. BTC:0.1:0.5 or KRW::5000000 (leave a part empty for no cap of that kind).");
        var currency = WithdrawalRules.ParseCurrency(parts[0], "--withdraw-cap");
        var cap = new WithdrawalCap(currency, Amount(parts[1], value), Amount(parts[2], value));
        cap.Validate();
        return cap;
    }

    public void Validate()
    {
        if (PerWithdrawal is null && Per24Hours is null)
            throw new ArgumentException($"--withdraw-cap for {Currency} needs a per-withdrawal cap, a 24 h cap, or both.");
        if (PerWithdrawal is <= 0 || Per24Hours is <= 0)
            throw new ArgumentException($"--withdraw-cap for {Currency}: caps must be positive amounts.");
        if (PerWithdrawal > Per24Hours)
            throw new ArgumentException($"--withdraw-cap for {Currency}: the per-withdrawal cap ({PerWithdrawal}) is above the 24 h cap ({Per24Hours}); lower it or raise the 24 h cap.");
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Currency}:{PerWithdrawal}:{Per24Hours}");

    private static decimal? Amount(string part, string whole)
    {
        if (part.Length == 0) return null;
        if (!ValueChecks.IsDecimal(part) || !decimal.TryParse(part, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            throw new ArgumentException($"--withdraw-cap '{whole}': '{part}' is not a plain amount such as 0.5 or 1000000.");
        return amount;
    }
}

/// <summary>Checks that bind withdrawal rules together in a bot profile.</summary>
public static class WithdrawalRules
{
    public const string Krw = "KRW";

    internal static string ParseCurrency(string value, string flag)
    {
        if (!Regex.IsMatch(value, "^[A-Za-z0-9]{1,15}$"))
            throw new ArgumentException($"{flag}: '{value}' is not a currency code; use Upbit's code such as BTC, ETH or KRW.");
        return value.ToUpperInvariant();
    }

    /// <summary>Refuses rules that could not mean what the operator wrote.</summary>
    public static void Validate(IReadOnlyList<WithdrawalAddress> addresses, IReadOnlyList<WithdrawalCap> caps, IReadOnlyCollection<string> scopes)
    {
        if ((addresses.Count > 0 || caps.Count > 0) && !scopes.Contains(Scopes.ToWire(Scope.Withdraw)))
            throw new ArgumentException("--withdraw-address and --withdraw-cap need the scope 'withdraw' in --scopes.");
        if (addresses.Distinct().Count() != addresses.Count)
            throw new ArgumentException("--withdraw-address lists the same destination twice; give each once.");
        foreach (var cap in caps) cap.Validate();
        if (caps.GroupBy(c => c.Currency).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ArgumentException($"--withdraw-cap is given twice for {twice.Key}; give one CURRENCY:PER_WITHDRAWAL:PER_24H per currency.");
    }
}
