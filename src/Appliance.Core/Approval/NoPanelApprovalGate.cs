using Appliance.Pipeline;
using Appliance.Common;
using Appliance.Upbit;

namespace Appliance.Approval;

/// <summary>
/// The gate when no panel can take an approval: every withdrawal is refused, fail closed,
/// because a withdrawal must never be signed without a physical approval.
/// </summary>
public sealed class NoPanelApprovalGate : IApprovalGate
{
    public bool Requires(Endpoint endpoint, IReadOnlyList<UpbitParam> parameters) => endpoint.IsWithdrawal;

    public Task<ApprovalGrant> ApproveAsync(ApprovalRequest request, CancellationToken cancellationToken) =>
        throw Refusals.ApprovalUnavailable($"{request.Endpoint.Method} {request.Endpoint.Path}");
}
