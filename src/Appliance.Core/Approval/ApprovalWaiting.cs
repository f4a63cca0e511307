using Appliance.Common;
using Appliance.Pipeline;

namespace Appliance.Approval;

/// <summary>How one approval ended.</summary>
internal enum ApprovalVerdict { Approved, Rejected, Timeout, Deadline, Cancelled, Stopped, Failed }

/// <summary>One approval in the panel gate's line: its request, its touch wait (if any), its timers and how it ended.</summary>
internal sealed class ApprovalWaiting(ApprovalRequest request, Func<CancellationToken, Task>? touch)
{
    public ApprovalRequest Request { get; } = request;
    public Func<CancellationToken, Task>? Touch { get; } = touch;

    /// <summary>1 or 2 for a two-step approval (button, then touch); a one-step one is at its only step.</summary>
    public int Step { get; set; } = 1;

    /// <summary>What answers it now: the button (a button approval, or step 1 of a two-step one), else the touch.</summary>
    public bool AwaitsButton => Touch is null || (Request.TwoStep && Step == 1);

    public TaskCompletionSource<ApprovalVerdict> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public CancellationTokenSource Abandoned { get; } = new();
    public ApprovalVerdict? Verdict { get; private set; }
    public SignRefusal? StopReason { get; private set; }
    public Exception? Failure { get; private set; }
    public long ShownAt { get; set; }
    public ITimer? Timer { get; set; }
    public ITimer? DeadlineTimer { get; set; }

    public void End(ApprovalVerdict verdict, Exception? why)
    {
        Verdict = verdict;
        if (verdict == ApprovalVerdict.Failed) Failure = why;
        else StopReason = why as SignRefusal;
        DeadlineTimer?.Dispose();
        Timer?.Dispose();
        // A touch wait that is no longer wanted: its secret is zeroed unused when the token returns.
        if (verdict != ApprovalVerdict.Approved) Abandoned.Cancel();
    }

    public void Complete() => Result.TrySetResult(Verdict!.Value);
}
