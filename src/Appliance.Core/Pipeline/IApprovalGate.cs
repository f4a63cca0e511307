using Appliance.Upbit;

namespace Appliance.Pipeline;

/// <summary>What the operator is asked to approve; shown on the panel as is.</summary>
public sealed record ApprovalRequest(string Bot, string Credential, Endpoint Endpoint, IReadOnlyList<UpbitParam> Params)
{
    /// <summary>When the caller gives up (its gRPC deadline); an approval never waits past it. Null: no deadline.</summary>
    public DateTimeOffset? Deadline { get; init; }
}

/// <summary>How a request was approved: "none", "button" or "touch", and how long it waited.</summary>
public sealed record ApprovalGrant(string Mode, TimeSpan Waited)
{
    public static readonly ApprovalGrant NotNeeded = new("none", TimeSpan.Zero);
}

/// <summary>
/// Step 4 of the pipeline. Returns a grant, or throws SignRefusal (rejected, timed out,
/// unavailable); cancellation means the caller went away and nothing is signed.
/// </summary>
public interface IApprovalGate
{
    bool Requires(Endpoint endpoint, IReadOnlyList<UpbitParam> parameters);

    /// <summary>How many approvals are waiting (shown or queued).</summary>
    int Pending => 0;

    Task<ApprovalGrant> ApproveAsync(ApprovalRequest request, CancellationToken cancellationToken);
}
