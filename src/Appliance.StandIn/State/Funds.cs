namespace Appliance.StandIn;

/// <summary>A withdrawal (Upbit's "withdraw" object; states WAITING → PROCESSING → DONE, or CANCELLED).</summary>
internal sealed class Withdrawal
{
    public required string Uuid { get; init; }

    public required string PocketUuid { get; init; }

    public required string Currency { get; init; }

    public required string? NetType { get; init; }

    public required decimal Amount { get; init; }

    public required decimal Fee { get; init; }

    public required string TransactionType { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public string State { get; set; } = "WAITING";

    public string? Txid { get; set; }

    public DateTimeOffset? DoneAt { get; set; }

    public bool IsCancelable => State == "WAITING";
}

/// <summary>A deposit (Upbit's "deposit" object; states PROCESSING, ACCEPTED, CANCELLED, REJECTED, TRAVEL_RULE_SUSPECTED…).</summary>
internal sealed class Deposit
{
    public required string Uuid { get; init; }

    public required string Currency { get; init; }

    public required string? NetType { get; init; }

    public required string Txid { get; init; }

    public required decimal Amount { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public string State { get; set; } = "PROCESSING";

    public DateTimeOffset? DoneAt { get; set; }
}

/// <summary>A transfer between pockets (states submitted → processing → done | failed; the stand-in completes at once).</summary>
internal sealed record PocketTransfer(
    string Uuid,
    string? Identifier,
    string From,
    string To,
    string Currency,
    decimal Amount,
    string State,
    DateTimeOffset CreatedAt,
    bool Universal);
