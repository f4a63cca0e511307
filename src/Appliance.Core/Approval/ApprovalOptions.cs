using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Appliance.Common;

namespace Appliance.Approval;

/// <summary>
/// The "approval" section of appliance.json: which requests beyond withdrawals and pocket transfers wait for a
/// physical approval, and how long an approval may wait. Requests that move assets always wait; no option turns
/// that off. Every key here that can widen power is in the signed config (Policy/SignedConfigKeys).
/// </summary>
public sealed partial record ApprovalOptions
{
    public const double DefaultTimeoutSeconds = 60;

    /// <summary>How long an approval stays on the panel before it is refused with APPROVAL_TIMEOUT.</summary>
    [JsonPropertyName("timeout_seconds")] public double TimeoutSeconds { get; init; } = DefaultTimeoutSeconds;

    /// <summary>Orders whose notional (quote currency) is above this wait for approval; null: none do.
    /// A market order whose notional is unknown before it fills waits too (fail closed).</summary>
    [JsonPropertyName("order_notional_above")] public decimal? OrderNotionalAbove { get; init; }

    /// <summary>True (default): <c>POST /v1/deposits/krw</c> waits for approval; it pulls money from the registered bank account.</summary>
    [JsonPropertyName("deposit_krw")] public bool DepositKrw { get; init; } = true;

    /// <summary>True (default): the travel-rule verifications (<c>POST /v1/travel_rule/deposit/uuid|txid</c>) wait for approval.</summary>
    [JsonPropertyName("travel_rule")] public bool TravelRule { get; init; } = true;

    /// <summary>True: <c>DELETE /v1/orders/open</c> (cancel all open orders) waits for approval.</summary>
    [JsonPropertyName("cancel_all")] public bool CancelAll { get; init; }

    /// <summary>A press that comes sooner than this after an approval appeared is ignored: nobody can have read the address yet.</summary>
    [JsonPropertyName("min_view_ms")] public int MinViewMilliseconds { get; init; } = 1000;

    /// <summary>How many approvals one bot may have waiting at once; more are refused with APPROVAL_QUEUE_FULL.</summary>
    [JsonPropertyName("max_queued_per_bot")] public int MaxQueuedPerBot { get; init; } = 3;

    /// <summary>
    /// Two-step approvals: a withdrawal or pocket transfer of a listed currency whose amount is above its threshold
    /// needs the approve button (step 1) and then a YubiKey touch (step 2). Currency codes in upper case; a threshold
    /// of 0 makes every such request two-step. Null or empty: none are.
    /// </summary>
    [JsonPropertyName("two_step")] public IReadOnlyDictionary<string, decimal>? TwoStep { get; init; }

    [JsonIgnore] public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);

    /// <summary>How long an approval may wait in line before it is shown: then it times out too.</summary>
    [JsonIgnore] public TimeSpan QueueTimeout => Timeout * 2;

    [JsonIgnore] public TimeSpan MinView => TimeSpan.FromMilliseconds(MinViewMilliseconds);

    public void Validate()
    {
        if (!(TimeoutSeconds > 0 && TimeoutSeconds <= 600))
            throw new ArgumentException("appliance.json: 'approval.timeout_seconds' must be more than 0 and at most 600.");
        if (OrderNotionalAbove is <= 0)
            throw new ArgumentException("appliance.json: 'approval.order_notional_above' must be a positive amount in quote currency, or left out.");
        if (MinViewMilliseconds is < 0 or > 10_000)
            throw new ArgumentException("appliance.json: 'approval.min_view_ms' must be between 0 and 10000.");
        if (MaxQueuedPerBot is < 1 or > 100)
            throw new ArgumentException("appliance.json: 'approval.max_queued_per_bot' must be between 1 and 100.");
        foreach (var (currency, threshold) in TwoStep ?? new Dictionary<string, decimal>())
        {
            if (!TwoStepCurrencyRegex().IsMatch(currency))
                throw new ArgumentException($"appliance.json: 'approval.two_step' names currency '{Refusals.Echo(currency)}'; use Upbit's upper-case code, e.g. \"BTC\" or \"KRW\".");
            if (threshold < 0)
                throw new ArgumentException($"appliance.json: 'approval.two_step.{currency}' must be an amount of 0 or more (0: every {currency} withdrawal takes two steps).");
        }
        if (MinView >= Timeout)
            throw new ArgumentException("appliance.json: 'approval.min_view_ms' must be shorter than 'approval.timeout_seconds'.");
    }

    [GeneratedRegex(@"\A[A-Z0-9]{1,16}\z")]
    private static partial Regex TwoStepCurrencyRegex();
}
