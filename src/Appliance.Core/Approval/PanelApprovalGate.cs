using Appliance.Common;
using Appliance.Panel;
using Appliance.Pipeline;
using Appliance.Sealing;
using Appliance.Upbit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Approval;

/// <summary>
/// Step 4 of the pipeline on a panel: one approval at a time is shown (approval LED blinking, the
/// display saying what and where to), the others wait in arrival order. A button approval ends by the
/// approve or reject button or its timeout; a touch approval starts the YubiKey's touch wait only when
/// it is shown, so the touch answers exactly what the display shows. Any of them also ends when the
/// caller goes away, its deadline comes, the bot is revoked, or the appliance pauses or loses its key.
/// Every item times out, queued or shown, and a bot may have at most MaxQueuedPerBot waiting.
/// </summary>
public sealed class PanelApprovalGate : IApprovalGate, IDisposable
{
    /// <summary>An approval gives up this long before the caller's deadline, so the refusal still reaches it.</summary>
    public static readonly TimeSpan DeadlineMargin = TimeSpan.FromMilliseconds(250);

    private readonly PanelController _display;
    private readonly IPanel _panel;
    private readonly ApprovalOptions _options;
    private readonly ApplianceState _state;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly List<Waiting> _queue = []; // [0] is the one on the panel
    private bool _disposed;

    /// <param name="display">The one writer of the panel's LEDs and text; its panel's buttons approve and reject.</param>
    public PanelApprovalGate(PanelController display, ApprovalOptions options, ApplianceState state, TimeProvider time, ILogger? logger = null)
    {
        options.Validate();
        _display = display;
        _panel = display.Panel;
        _options = options;
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

    public bool MayRequire(Scope scope) => ApprovalTiers.MayRequire(_options, scope);

    public async Task<ApprovalGrant> ApproveAsync(ApprovalRequest request, CancellationToken cancellationToken)
    {
        var (waiting, started) = Enqueue(request, null, cancellationToken);
        var verdict = await Wait(waiting, cancellationToken);
        return verdict == Verdict.Approved ? new ApprovalGrant(ApprovalMode.Button, _time.GetElapsedTime(started)) : throw Refusal(waiting, verdict, cancellationToken);
    }

    public async Task<(T Result, ApprovalGrant Grant)> ApproveByTouchAsync<T>(ApprovalRequest request,
        Func<CancellationToken, Task<(T Result, TimeSpan Waited)>> touch, CancellationToken cancellationToken)
    {
        T result = default!;
        var (waiting, started) = Enqueue(request, async ct => { (result, _) = await touch(ct).ConfigureAwait(false); }, cancellationToken);
        var verdict = await Wait(waiting, cancellationToken);
        if (verdict != Verdict.Approved) throw Refusal(waiting, verdict, cancellationToken);
        return (result, new ApprovalGrant(ApprovalMode.Touch, _time.GetElapsedTime(started)));
    }

    public void CancelBot(string bot)
    {
        List<Waiting> stopped;
        lock (_lock)
        {
            stopped = _queue.Where(w => w.Request.Bot == bot).ToList();
            foreach (var w in stopped) Remove(w, Verdict.Stopped, Refusals.BotRevoked(bot));
        }
        foreach (var w in stopped) w.Complete();
    }

    private (Waiting Waiting, long Started) Enqueue(ApprovalRequest request, Func<CancellationToken, Task>? touch, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var started = _time.GetTimestamp();
        var untilDeadline = request.Deadline is { } deadline ? deadline - _time.GetUtcNow() - DeadlineMargin : (TimeSpan?)null;
        if (untilDeadline <= TimeSpan.Zero) throw Refusals.NoTimeToApprove(_options.Timeout);
        var waiting = new Waiting(request, touch);
        int position;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _state.EnsureCanSign();
            if (_queue.Count(w => w.Request.Bot == request.Bot) >= _options.MaxQueuedPerBot)
                throw Refusals.ApprovalQueueFull(request.Bot, _options.MaxQueuedPerBot);
            _queue.Add(waiting);
            position = _queue.Count;
            if (untilDeadline is { } wait)
                waiting.DeadlineTimer = _time.CreateTimer(_ => Finish(waiting, Verdict.Deadline), null, wait, Timeout.InfiniteTimeSpan);
            // Waiting in line has its own limit, so nothing waits forever behind others.
            waiting.Timer = _time.CreateTimer(_ => Finish(waiting, Verdict.Timeout), null, _options.QueueTimeout, Timeout.InfiniteTimeSpan);
            if (_queue.Count == 1) ShowHead();
            else ShowText();
        }
        _logger.LogWarning("approval waiting ({Position} in line, {Kind}): {Request}", position, touch is null ? "button" : "touch", ApprovalDisplay.LogLine(request));
        return (waiting, started);
    }

    private async Task<Verdict> Wait(Waiting waiting, CancellationToken cancellationToken)
    {
        Verdict verdict;
        using (cancellationToken.Register(() => Finish(waiting, Verdict.Cancelled)))
            verdict = await waiting.Result.Task.ConfigureAwait(false);
        _logger.LogWarning("approval {Verdict}: bot={Bot}", verdict, waiting.Request.Bot);
        return verdict;
    }

    private Exception Refusal(Waiting waiting, Verdict verdict, CancellationToken cancellationToken)
    {
        var what = $"{waiting.Request.Endpoint.Method} {waiting.Request.Endpoint.Path}";
        return verdict switch
        {
            Verdict.Rejected => Refusals.ApprovalRejected(what),
            Verdict.Timeout => Refusals.ApprovalTimedOut(what, _options.Timeout),
            Verdict.Deadline => Refusals.DeadlineBeforeApproval(what, _options.Timeout),
            Verdict.Cancelled => new OperationCanceledException("The caller went away while the approval waited; nothing was sent.", cancellationToken),
            Verdict.Failed => waiting.Failure!,
            _ => waiting.StopReason ?? Refusals.ApprovalStopped(),
        };
    }

    private void OnButton(ButtonEvent e)
    {
        // A long press is pause/resume (PauseControl), never an approval.
        if (e.Kind != PressKind.Press) return;
        Waiting? decided = null;
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
            // A touch approval takes only the touch; the reject button still refuses it.
            if (head.Touch is not null && e.Button == PanelButton.Approve) return;
            if (Remove(head, e.Button == PanelButton.Approve ? Verdict.Approved : Verdict.Rejected)) decided = head;
        }
        decided?.Complete();
    }

    private void OnStateChanged()
    {
        List<Waiting> stopped;
        lock (_lock)
        {
            if (_disposed) return;
            if (_state.Kind == ApplianceStateKind.Ready || _queue.Count == 0)
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
        foreach (var w in stopped) w.End(Verdict.Stopped, reason);
        return stopped;
    }

    private SignRefusal? CaptureStateRefusal()
    {
        try { _state.EnsureCanSign(); return null; }
        catch (SignRefusal refusal) { return refusal; }
    }

    private void Finish(Waiting waiting, Verdict verdict, Exception? failure = null)
    {
        bool removed;
        lock (_lock) removed = Remove(waiting, verdict, failure);
        if (removed) waiting.Complete();
    }

    /// <summary>Takes an approval off the queue with its verdict (under the lock); false when it had ended already.</summary>
    private bool Remove(Waiting waiting, Verdict verdict, Exception? failure = null)
    {
        if (waiting.Verdict is not null) return false;
        waiting.End(verdict, failure);
        var wasShown = _queue.Count > 0 && ReferenceEquals(_queue[0], waiting);
        _queue.Remove(waiting);
        if (wasShown) ShowHead();
        else ShowText();
        return true;
    }

    /// <summary>Puts the first waiting approval on the panel and starts its timeout or its touch wait (under the lock).</summary>
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
        head.Timer?.Dispose();
        head.Timer = _time.CreateTimer(_ => Finish(head, Verdict.Timeout), null, _options.Timeout, Timeout.InfiniteTimeSpan);
        ShowText();
        if (head.Touch is { } touch) _ = RunTouch(head, touch);
    }

    /// <summary>The touch wait of the approval on display; its end (touched, no touch, token error) is its verdict.</summary>
    private async Task RunTouch(Waiting head, Func<CancellationToken, Task> touch)
    {
        try
        {
            await Task.Yield(); // never run the token call under the gate's lock
            await touch(head.Abandoned.Token).ConfigureAwait(false);
            Finish(head, Verdict.Approved);
        }
        catch (OperationCanceledException) when (head.Abandoned.IsCancellationRequested) { }
        catch (Exception e) { Finish(head, Verdict.Failed, e); }
    }

    private void ShowText()
    {
        if (_disposed || _queue.Count == 0) return;
        var head = _queue[0];
        var lines = ApprovalDisplay.Lines(head.Request, _queue.Count - 1);
        // A touch approval reads exactly like a button one, plus what to do.
        _display.ShowApproval(head.Touch is null ? lines : [lines[0], "touch the key", .. lines.Skip(1)]);
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

    private enum Verdict { Approved, Rejected, Timeout, Deadline, Cancelled, Stopped, Failed }

    private sealed class Waiting(ApprovalRequest request, Func<CancellationToken, Task>? touch)
    {
        public ApprovalRequest Request { get; } = request;
        public Func<CancellationToken, Task>? Touch { get; } = touch;
        public TaskCompletionSource<Verdict> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public CancellationTokenSource Abandoned { get; } = new();
        public Verdict? Verdict { get; private set; }
        public SignRefusal? StopReason { get; private set; }
        public Exception? Failure { get; private set; }
        public long ShownAt { get; set; }
        public ITimer? Timer { get; set; }
        public ITimer? DeadlineTimer { get; set; }

        public void End(Verdict verdict, Exception? why)
        {
            Verdict = verdict;
            if (verdict == PanelApprovalGate.Verdict.Failed) Failure = why;
            else StopReason = why as SignRefusal;
            DeadlineTimer?.Dispose();
            Timer?.Dispose();
            // A touch wait that is no longer wanted: its secret is zeroed unused when the token returns.
            if (verdict != PanelApprovalGate.Verdict.Approved) Abandoned.Cancel();
        }

        public void Complete() => Result.TrySetResult(Verdict!.Value);
    }
}
