using System.Globalization;
using Appliance.Upbit;

namespace Appliance.Policy;

/// <summary>One amount held against a bot's 24 h cap: signed (counts from <see cref="Time"/>) or reserved (waiting to be signed).</summary>
public sealed record WithdrawalLedgerEntry(string Bot, string Currency, decimal Amount, DateTimeOffset Time, bool Signed)
{
    /// <summary>
    /// The entry a signed withdrawal request stands for, or null if the request is not a withdrawal (or
    /// not a well-formed one). Used to rebuild the totals from audit records.
    /// </summary>
    public static WithdrawalLedgerEntry? FromSignedRequest(string bot, string? method, string? path, IReadOnlyList<UpbitParam>? parameters,
        DateTimeOffset time)
    {
        if (parameters is null || !EndpointCatalog.Default.TryFind(method, path, out var endpoint) || !endpoint.IsWithdrawal) return null;
        var krw = endpoint.Path == "/v1/withdraws/krw";
        var currency = krw ? WithdrawalRules.Krw : parameters.FirstOrDefault(p => p.Key == "currency").Value?.ToUpperInvariant();
        var amountText = parameters.FirstOrDefault(p => p.Key == "amount").Value;
        if (currency is null || amountText is null
            || !decimal.TryParse(amountText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            return null;
        return new WithdrawalLedgerEntry(bot, currency, amount, time, Signed: true);
    }
}

/// <summary>
/// Where <see cref="WithdrawalPolicy"/> keeps its 24 h totals so they survive a restart (the audit log's
/// withdrawal-totals file). <see cref="Save"/> must be durable when it returns: the policy saves a
/// reservation before the withdrawal is signed, so a crash can leave the totals too high, never too low.
/// </summary>
public interface IWithdrawalLedger
{
    /// <summary>What was saved before this start (already checked or rebuilt by the store).</summary>
    IReadOnlyList<WithdrawalLedgerEntry> Loaded { get; }

    /// <summary>Replaces the saved entries, durably; throws IOException when it cannot.</summary>
    void Save(IReadOnlyList<WithdrawalLedgerEntry> entries);
}
