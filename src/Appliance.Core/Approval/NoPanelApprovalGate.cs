using Appliance.Pipeline;
using Appliance.Common;
using Appliance.Upbit;

namespace Appliance.Approval;

/// <summary>
/// The gate when no panel can take an approval: every request in the approval tiers (every withdrawal and pocket
/// transfer always) is refused, fail closed, because it must never be signed without a physical approval.
/// </summary>
public sealed class NoPanelApprovalGate(ApprovalOptions? options = null) : IApprovalGate
{
    private readonly ApprovalOptions _options = options ?? new ApprovalOptions();

    public bool Requires(Endpoint endpoint, IReadOnlyList<UpbitParam> parameters) => ApprovalTiers.Requires(_options, endpoint, parameters);

    public Task<ApprovalGrant> ApproveAsync(ApprovalRequest request, CancellationToken cancellationToken) =>
        throw Refusals.ApprovalUnavailable($"{request.Endpoint.Method} {request.Endpoint.Path}");
}
