using Appliance.Common;
using Appliance.Credentials;
using Appliance.Pipeline;
using Appliance.Sealing;
using Appliance.Upbit;

namespace Appliance.Approval;

/// <summary>
/// The gate when no panel can take an approval: a button approval is refused, fail closed, because a request in
/// the approval tiers (every withdrawal and pocket transfer always: Endpoint.MovesAssets) must never be sent without
/// a physical approval. A touch is still physical, so touch approvals run, one at a time, announced by
/// <paramref name="prompt"/> (the log, without a panel).
/// </summary>
public sealed class NoPanelApprovalGate(ITouchPrompt prompt, TimeProvider time, int maxQueuedPerBot = 3, ApprovalOptions? options = null)
    : IApprovalGate, IDisposable
{
    private readonly ApprovalOptions _options = options ?? new ApprovalOptions();
    private readonly SemaphoreSlim _one = new(1, 1);
    private readonly Dictionary<string, int> _queued = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private int _pending;

    public bool Requires(Endpoint endpoint, IReadOnlyList<UpbitParam> parameters) => ApprovalTiers.Requires(_options, endpoint, parameters);

    public bool MayRequire(Scope scope) => ApprovalTiers.MayRequire(_options, scope);

    public bool NeedsTwoSteps(Endpoint endpoint, IReadOnlyList<UpbitParam> parameters) => ApprovalTiers.NeedsTwoSteps(_options, endpoint, parameters);

    public int Pending => Volatile.Read(ref _pending);

    public Task<ApprovalGrant> ApproveAsync(ApprovalRequest request, CancellationToken cancellationToken) =>
        throw Refusals.ApprovalUnavailable($"{request.Endpoint.Method} {request.Endpoint.Path}");

    public async Task<(T Result, ApprovalGrant Grant)> ApproveByTouchAsync<T>(ApprovalRequest request,
        Func<CancellationToken, Task<(T Result, TimeSpan Waited)>> touch, CancellationToken cancellationToken)
    {
        // Step 1 of a two-step approval is the button, and there is none.
        if (request.TwoStep) throw Refusals.StepUnavailable($"{request.Endpoint.Method} {request.Endpoint.Path}");
        lock (_lock)
        {
            if (_queued.GetValueOrDefault(request.Bot) >= maxQueuedPerBot) throw Refusals.ApprovalQueueFull(request.Bot, maxQueuedPerBot);
            _queued[request.Bot] = _queued.GetValueOrDefault(request.Bot) + 1;
        }
        Interlocked.Increment(ref _pending);
        var started = time.GetTimestamp();
        try
        {
            // One touch wait at a time: the touch answers the request the prompt names, never another.
            await _one.WaitAsync(cancellationToken);
            try
            {
                using var shown = prompt.Begin(new TouchPromptInfo(request.Bot, request.Credential, request.Endpoint.Method, request.Endpoint.Path, request.Params));
                var (result, _) = await touch(cancellationToken);
                return (result, new ApprovalGrant(ApprovalMode.Touch, time.GetElapsedTime(started)));
            }
            finally { _one.Release(); }
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
            lock (_lock) { if ((_queued[request.Bot] -= 1) == 0) _queued.Remove(request.Bot); }
        }
    }

    public void CancelBot(string bot) { } // nothing waits here but touches, which end with the token's own timeout

    public void Dispose() => _one.Dispose();
}
