using Appliance.Sealing;
using Appliance.Upbit;

namespace Appliance.Pipeline;

/// <summary>What the operator is asked to approve; shown on the panel as is.</summary>
public sealed record ApprovalRequest(string Bot, string Credential, Endpoint Endpoint, IReadOnlyList<UpbitParam> Params)
{
    /// <summary>When the caller gives up (its gRPC deadline); an approval never waits past it. Null: no deadline.</summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>True: the approve button first (step 1 of 2), then the YubiKey touch (step 2 of 2); see ApprovalOptions.TwoStep.</summary>
    public bool TwoStep { get; init; }
}

/// <summary>How a request was approved, and how long it waited.</summary>
public sealed record ApprovalGrant(ApprovalMode Mode, TimeSpan Waited)
{
    /// <summary>2 when both the button and a touch approved it (reported as "touch", its last step; the audit record says steps 2).</summary>
    public int Steps { get; init; } = 1;

    public static readonly ApprovalGrant NotNeeded = new(ApprovalMode.None, TimeSpan.Zero);
}

/// <summary>
/// Step 4 of the pipeline. One approval at a time is shown and answered, whether by the approve button
/// or by a YubiKey touch, so a touch can never approve another request than the one on the display.
/// Returns a grant, or throws SignRefusal (rejected, timed out, queue full, unavailable); cancellation
/// means the caller went away and nothing is sent.
/// </summary>
public interface IApprovalGate
{
    bool Requires(Endpoint endpoint, IReadOnlyList<UpbitParam> parameters);

    /// <summary>Whether any request under <paramref name="scope"/> can need an approval (then no detached token may skip it).</summary>
    bool MayRequire(Scope scope);

    /// <summary>Whether a request that moves assets needs the button and then a touch (a per-currency threshold in appliance.json).</summary>
    bool NeedsTwoSteps(Endpoint endpoint, IReadOnlyList<UpbitParam> parameters);

    /// <summary>How many approvals are waiting (shown or queued).</summary>
    int Pending { get; }

    /// <summary>Waits for the approve button.</summary>
    Task<ApprovalGrant> ApproveAsync(ApprovalRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Waits for this request's turn, shows it, then runs <paramref name="touch"/> (the touch-gated unseal, or the
    /// policy key's signature of the approval, which blocks in the token until the touch). A request cancelled while
    /// queued never starts it. With <see cref="ApprovalRequest.TwoStep"/> the approve button comes first, and the
    /// touch wait starts only after it.
    /// </summary>
    Task<(T Result, ApprovalGrant Grant)> ApproveByTouchAsync<T>(ApprovalRequest request,
        Func<CancellationToken, Task<(T Result, TimeSpan Waited)>> touch, CancellationToken cancellationToken);

    /// <summary>The bot was revoked: its waiting approvals are refused.</summary>
    void CancelBot(string bot);
}
