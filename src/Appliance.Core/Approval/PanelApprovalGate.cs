using Appliance.Common;
using Appliance.Panel;
using Appliance.Sealing;
using Appliance.Pipeline;
using Appliance.Upbit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Approval;

/// <summary>
/// Step 4 of the pipeline on a panel: one approval at a time is shown (approval LED blinking,
/// the display saying what and where to), the others wait in arrival order. The shown one ends by
/// the approve button, the reject button, its own timeout, the caller going away, the caller's
/// deadline, or the appliance pausing or losing its key; then the next one is shown.
/// </summary>
public sealed class PanelApprovalGate : IApprovalGate, IDisposable
{
    /// <summary>An approval gives up this long before the caller's deadline, so the refusal still reaches it.</summary>
    public static readonly TimeSpan DeadlineMargin = TimeSpan.FromMilliseconds(250);

    private readonly PanelController _display;
    private readonly IPanel _panel;
    private readonly ApprovalOptions _options;
    private readonly Func<string, ApprovalMode> _approvalModeOf;
    private readonly ApplianceState _state;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly List<Waiting> _queue = []; // [0] is the one on the panel
    private bool _disposed;

    /// <param name="approvalModeOf">The credential's approval mode (from the vault's metadata).</param>
    /// <param name="display">The one writer of the panel's LEDs and text; its panel's buttons approve and reject.</param>
    public PanelApprovalGate(PanelController display, ApprovalOptions options, Func<string, ApprovalMode> approvalModeOf,
        ApplianceState state, TimeProvider time, ILogger? logger = null)
    {
        options.Validate();
        _display = display;
        _panel = display.Panel;
        _options = options;
        _approvalModeOf = approvalModeOf;
        _state = state;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        _panel.ButtonPressed += OnButton;
        _state.Changed += OnStateChanged;
        lock (_lock) ShowHead();
    }

    public int Pending
    {
        get { lock (_lock) return _queue.Count; }
    }

    public bool Requires(Endpoint endpoint, IReadOnlyList<UpbitParam> parameters) =>
        ApprovalTiers.Requires(_options, endpoint, parameters);

    public async Task<ApprovalGrant> ApproveAsync(ApprovalRequest request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // Hook for touch-gated credentials: the touch that unseals the secret is the approval,
        // so no button is asked for. The vault never holds such a secret, so signing fails closed
        // (SEALED) until per-use unsealing after a touch is in place.
        if (_approvalModeOf(request.Credential) == ApprovalMode.Touch)
            return new ApprovalGrant(ApprovalMode.Touch.ToWire(), TimeSpan.Zero);

        var started = _time.GetTimestamp();
        var untilDeadline = request.Deadline is { } deadline ? deadline - _time.GetUtcNow() - DeadlineMargin : (TimeSpan?)null;
        if (untilDeadline <= TimeSpan.Zero)
            throw Refusals.NoTimeToApprove(_options.Timeout);

        var waiting = new Waiting(request);
        int position;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _state.EnsureCanSign();
            _queue.Add(waiting);
            position = _queue.Count;
            if (untilDeadline is { } wait)
                waiting.DeadlineTimer = _time.CreateTimer(_ => Finish(waiting, Verdict.Deadline), null, wait, Timeout.InfiniteTimeSpan);
            if (_queue.Count == 1) ShowHead();
            else ShowText();
        }
        _logger.LogWarning("approval waiting ({Position} in line): {Request}", position, ApprovalDisplay.LogLine(request));

        Verdict verdict;
        using (cancellationToken.Register(() => Finish(waiting, Verdict.Cancelled)))
            verdict = await waiting.Result.Task.ConfigureAwait(false);
        var waited = _time.GetElapsedTime(started);
        _logger.LogWarning("approval {Verdict} after {Waited:0.0} s: bot={Bot}", verdict, waited.TotalSeconds, request.Bot);

        var what = $"{request.Endpoint.Method} {request.Endpoint.Path}";
        return verdict switch
        {
            Verdict.Approved => new ApprovalGrant(ApprovalMode.Button.ToWire(), waited),
            Verdict.Rejected => throw Refusals.ApprovalRejected(what),
            Verdict.Timeout => throw Refusals.ApprovalTimedOut(what, _options.Timeout),
            Verdict.Deadline => throw Refusals.DeadlineBeforeApproval(what, _options.Timeout),
            Verdict.Cancelled => throw new OperationCanceledException("The caller went away while the approval waited; nothing was signed.", cancellationToken),
            _ => throw waiting.StopReason ?? Refusals.ApprovalStopped(),
        };
    }

    private void OnButton(ButtonEvent e)
    {
        // A long press is pause/resume (PauseControl), never an approval.
        if (e.Kind != PressKind.Press) return;
        Waiting? decided;
        lock (_lock)
        {
            if (_queue.Count == 0)
            {
                _logger.LogInformation("{Button} pressed with nothing to approve; ignored", e.Button);
                return;
            }
            var head = _queue[0];
            if (_time.GetElapsedTime(head.ShownAt) < _options.MinView)
            {
                // The display changed a moment ago: this press was meant for what was there before.
                _logger.LogWarning("{Button} pressed within {MinView} ms of a new approval appearing; ignored", e.Button, _options.MinViewMilliseconds);
                return;
            }
            decided = Remove(head, e.Button == PanelButton.Approve ? Verdict.Approved : Verdict.Rejected) ? head : null;
        }
        decided?.Complete();
    }

    private void OnStateChanged()
    {
        List<Waiting> stopped;
        lock (_lock)
        {
            if (_disposed) return;
            if (_state.Name == "ready" || _queue.Count == 0)
            {
                if (_queue.Count == 0) ShowHead(); // the idle text follows the state
                return;
            }
            stopped = StopAll(CaptureStateRefusal());
            ShowHead();
        }
        foreach (var w in stopped) w.Complete();
    }

    /// <summary>Ends every waiting approval at once (under the lock), without showing each next one in turn.</summary>
    private List<Waiting> StopAll(SignRefusal? reason)
    {
        List<Waiting> stopped = [.. _queue];
        _queue.Clear();
        foreach (var w in stopped)
        {
            w.Verdict = Verdict.Stopped;
            w.StopReason = reason;
            w.DeadlineTimer?.Dispose();
            w.Timer?.Dispose();
        }
        return stopped;
    }

    private SignRefusal? CaptureStateRefusal()
    {
        try { _state.EnsureCanSign(); return null; }
        catch (SignRefusal refusal) { return refusal; }
    }

    private void Finish(Waiting waiting, Verdict verdict)
    {
        bool removed;
        lock (_lock) removed = Remove(waiting, verdict);
        if (removed) waiting.Complete();
    }

    /// <summary>Takes an approval off the queue with its verdict (under the lock); false when it had ended already.</summary>
    private bool Remove(Waiting waiting, Verdict verdict)
    {
        if (waiting.Verdict is not null) return false;
        waiting.Verdict = verdict;
        waiting.DeadlineTimer?.Dispose();
        waiting.Timer?.Dispose();
        var wasShown = _queue.Count > 0 && ReferenceEquals(_queue[0], waiting);
        _queue.Remove(waiting);
        if (wasShown) ShowHead();
        else ShowText();
        return true;
    }

    /// <summary>Puts the first waiting approval on the panel and starts its timeout (under the lock).</summary>
    private void ShowHead()
    {
        if (_disposed) return;
        if (_queue.Count == 0)
        {
            _display.EndApproval();
            return;
        }
        var head = _queue[0];
        head.ShownAt = _time.GetTimestamp();
        head.Timer = _time.CreateTimer(_ => Finish(head, Verdict.Timeout), null, _options.Timeout, Timeout.InfiniteTimeSpan);
        ShowText();
    }

    private void ShowText()
    {
        if (_disposed || _queue.Count == 0) return;
        _display.ShowApproval(ApprovalDisplay.Lines(_queue[0].Request, _queue.Count - 1));
    }

    public void Dispose()
    {
        List<Waiting> stopped;
        lock (_lock)
        {
            if (_disposed) return;
            _panel.ButtonPressed -= OnButton;
            _state.Changed -= OnStateChanged;
            stopped = StopAll(null);
            _display.EndApproval();
            _disposed = true;
        }
        foreach (var w in stopped) w.Complete();
    }

    private enum Verdict { Approved, Rejected, Timeout, Deadline, Cancelled, Stopped }

    private sealed class Waiting(ApprovalRequest request)
    {
        public ApprovalRequest Request { get; } = request;
        public TaskCompletionSource<Verdict> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Verdict? Verdict { get; set; }
        public SignRefusal? StopReason { get; set; }
        public long ShownAt { get; set; }
        public ITimer? Timer { get; set; }
        public ITimer? DeadlineTimer { get; set; }

        public void Complete() => Result.TrySetResult(Verdict!.Value);
    }
}
