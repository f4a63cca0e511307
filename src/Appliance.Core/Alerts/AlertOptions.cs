using System.Text.Json.Serialization;

namespace Appliance.Alerts;

/// <summary>appliance.json "alerts": thresholds of the rules and the optional webhook.</summary>
public sealed record AlertOptions
{
    /// <summary>http(s) URL on the LAN that receives each alert as a JSON POST; null: no webhook.</summary>
    [JsonPropertyName("webhook")] public string? Webhook { get; init; }

    /// <summary>An order above k × the bot's rolling median notional raises an alert.</summary>
    [JsonPropertyName("notional_factor")] public decimal NotionalFactor { get; init; } = 5;

    /// <summary>Orders a bot must have made before the notional rule judges it; the median runs over the last this-many × 5.</summary>
    [JsonPropertyName("notional_min_orders")] public int NotionalMinOrders { get; init; } = 10;

    /// <summary>This many authentication failures (any peer), or denials of one bot, within the window is a burst.</summary>
    [JsonPropertyName("burst_count")] public int BurstCount { get; init; } = 10;

    [JsonPropertyName("burst_window_seconds")] public double BurstWindowSeconds { get; init; } = 60;

    [JsonPropertyName("credential_expiry_warning_days")] public double CredentialExpiryWarningDays { get; init; } = 14;

    [JsonPropertyName("credential_max_age_days")] public double CredentialMaxAgeDays { get; init; } = 90;

    /// <summary>Derived from burst_window_seconds, so never written to appliance.json.</summary>
    [JsonIgnore] public TimeSpan BurstWindow => TimeSpan.FromSeconds(BurstWindowSeconds);

    public void Validate()
    {
        if (NotionalFactor <= 1) throw new ArgumentException("alerts.notional_factor must be above 1.");
        if (NotionalMinOrders < 1) throw new ArgumentException("alerts.notional_min_orders must be at least 1.");
        if (BurstCount < 2) throw new ArgumentException("alerts.burst_count must be at least 2.");
        if (BurstWindowSeconds <= 0) throw new ArgumentException("alerts.burst_window_seconds must be positive.");
        if (Webhook is not null && (!Uri.TryCreate(Webhook, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            throw new ArgumentException($"alerts.webhook '{Webhook}' is not an http(s) URL; give one like http://192.168.1.20:8080/alerts.");
    }
}

/// <summary>One alert: which rule fired, about whom, and a sentence for the operator.</summary>
public sealed record Alert(string Rule, DateTimeOffset Time, string Message, string? Bot = null, string? Credential = null);

/// <summary>The rule names (stable: metrics, webhook receivers and audit readers match on them).</summary>
public static class AlertRuleNames
{
    public const string Withdrawal = "withdrawal";
    public const string LargeOrder = "large_order";
    public const string AuthFailures = "auth_failures";
    public const string Denials = "denials";
    public const string NewBot = "new_bot";
    public const string NewCredential = "new_credential";
    public const string CredentialExpiry = "credential_expiry";
    public const string CredentialAge = "credential_age";
    public const string TokenRemoved = "token_removed";
    public const string AuditUnavailable = "audit_unavailable";
    /// <summary>A bot profile, credential or config whose policy signature does not verify (or that cannot be read) was not loaded.</summary>
    public const string PolicyRejected = "policy_rejected";
    /// <summary>A withdrawal address was added to a bot: it waits out its cooling-off, time for the operator to object.</summary>
    public const string WithdrawalAddressAdded = "withdrawal_address_added";
    public const string AuditDisk = "audit_disk";
    public const string AuditStart = "audit_start";
}
