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
    private readonly List<ApprovalWaiting> _queue = []; // [0] is the one on the panel
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

    public bool NeedsTwoSteps(Endpoint endpoint, IReadOnlyList<UpbitParam> parameters) =>
        ApprovalTiers.NeedsTwoSteps(_options, endpoint, parameters);

    public async Task<ApprovalGrant> ApproveAsync(ApprovalRequest request, CancellationToken cancellationToken)
    {
        if (request.TwoStep) throw new ArgumentException("A two-step approval ends with a touch: ask for it with ApproveByTouchAsync.", nameof(request));
        var (waiting, started) = Enqueue(request, null, cancellationToken);
        var verdict = await Wait(waiting, cancellationToken);
        return verdict == ApprovalVerdict.Approved ? new ApprovalGrant(ApprovalMode.Button, _time.GetElapsedTime(started)) : throw Refusal(waiting, verdict, cancellationToken);
    }

    public async Task<(T Result, ApprovalGrant Grant)> ApproveByTouchAsync<T>(ApprovalRequest request,
        Func<CancellationToken, Task<(T Result, TimeSpan Waited)>> touch, CancellationToken cancellationToken)
    {
        T result = default!;
        var (waiting, started) = Enqueue(request, async ct => { (result, _) = await touch(ct).ConfigureAwait(false); }, cancellationToken);
        var verdict = await Wait(waiting, cancellationToken);
        if (verdict != ApprovalVerdict.Approved) throw Refusal(waiting, verdict, cancellationToken);
        return (result, new ApprovalGrant(ApprovalMode.Touch, _time.GetElapsedTime(started)) { Steps = request.TwoStep ? 2 : 1 });
    }

    public void CancelBot(string bot)
    {
        List<ApprovalWaiting> stopped;
        lock (_lock)
        {
            stopped = _queue.Where(w => w.Request.Bot == bot).ToList();
            foreach (var w in stopped) Remove(w, ApprovalVerdict.Stopped, Refusals.BotRevoked(bot));
        }
        foreach (var w in stopped) w.Complete();
    }

    private (ApprovalWaiting ApprovalWaiting, long Started) Enqueue(ApprovalRequest request, Func<CancellationToken, Task>? touch, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var started = _time.GetTimestamp();
        var untilDeadline = request.Deadline is { } deadline ? deadline - _time.GetUtcNow() - DeadlineMargin : (TimeSpan?)null;
        if (untilDeadline <= TimeSpan.Zero) throw Refusals.NoTimeToApprove(_options.Timeout);
        var waiting = new ApprovalWaiting(request, touch);
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
                waiting.DeadlineTimer = _time.CreateTimer(_ => Finish(waiting, ApprovalVerdict.Deadline), null, wait, Timeout.InfiniteTimeSpan);
            // ApprovalWaiting in line has its own limit, so nothing waits forever behind others.
            waiting.Timer = _time.CreateTimer(_ => Finish(waiting, ApprovalVerdict.Timeout), null, _options.QueueTimeout, Timeout.InfiniteTimeSpan);
            if (_queue.Count == 1) ShowHead();
            else ShowText();
        }
        _logger.LogWarning("approval waiting ({Position} in line, {Kind}): {Request}", position, touch is null ? "button" : "touch", ApprovalDisplay.LogLine(request));
        return (waiting, started);
    }

    private async Task<ApprovalVerdict> Wait(ApprovalWaiting waiting, CancellationToken cancellationToken)
    {
        ApprovalVerdict verdict;
        using (cancellationToken.Register(() => Finish(waiting, ApprovalVerdict.Cancelled)))
            verdict = await waiting.Result.Task.ConfigureAwait(false);
        _logger.LogWarning("approval {Verdict}: bot={Bot}", verdict, waiting.Request.Bot);
        return verdict;
    }

    private Exception Refusal(ApprovalWaiting waiting, ApprovalVerdict verdict, CancellationToken cancellationToken)
    {
        var what = $"{waiting.Request.Endpoint.Method} {waiting.Request.Endpoint.Path}";
        if (waiting.Request.TwoStep)
        {
            switch (verdict)
            {
                case ApprovalVerdict.Rejected: return Refusals.StepRejected(what, waiting.Step);
                case ApprovalVerdict.Timeout: return Refusals.StepTimedOut(what, waiting.Step, _time.GetElapsedTime(waiting.ShownAt));
                case ApprovalVerdict.Failed when waiting.Failure is SignRefusal { Reason: Reasons.ApprovalTimeout }:
                    return Refusals.StepTimedOut(what, 2, _time.GetElapsedTime(waiting.ShownAt)); // the token gave up waiting for the touch
            }
        }
        return verdict switch
        {
            ApprovalVerdict.Rejected => Refusals.ApprovalRejected(what),
            ApprovalVerdict.Timeout => Refusals.ApprovalTimedOut(what, _options.Timeout),
            ApprovalVerdict.Deadline => Refusals.DeadlineBeforeApproval(what, _options.Timeout),
            ApprovalVerdict.Cancelled => new OperationCanceledException("The caller went away while the approval waited; nothing was sent.", cancellationToken),
            ApprovalVerdict.Failed => waiting.Failure!,
            _ => waiting.StopReason ?? Refusals.ApprovalStopped(),
        };
    }

    private void OnButton(ButtonEvent e)
    {
        // A long press is pause/resume (PauseControl), never an approval.
        if (e.Kind != PressKind.Press) return;
        ApprovalWaiting? decided = null;
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
            if (!head.AwaitsButton && e.Button == PanelButton.Approve) return;
            if (head.Touch is { } touch && e.Button == PanelButton.Approve)
            {
                // Step 1 of 2 done: the same request stays on the display, now waiting for the touch.
                head.Step = 2;
                _logger.LogWarning("approval step 1 of 2 (button) done, waiting for the touch: bot={Bot}", head.Request.Bot);
                StartShowing(head, touch);
                return;
            }
            if (Remove(head, e.Button == PanelButton.Approve ? ApprovalVerdict.Approved : ApprovalVerdict.Rejected)) decided = head;
        }
        decided?.Complete();
    }

    private void OnStateChanged()
    {
        List<ApprovalWaiting> stopped;
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
    private List<ApprovalWaiting> StopAll(SignRefusal? reason)
    {
        List<ApprovalWaiting> stopped = [.. _queue];
        _queue.Clear();
        foreach (var w in stopped) w.End(ApprovalVerdict.Stopped, reason);
        return stopped;
    }

    private SignRefusal? CaptureStateRefusal()
    {
        try { _state.EnsureCanSign(); return null; }
        catch (SignRefusal refusal) { return refusal; }
    }

    private void Finish(ApprovalWaiting waiting, ApprovalVerdict verdict, Exception? failure = null)
    {
        bool removed;
        lock (_lock) removed = Remove(waiting, verdict, failure);
        if (removed) waiting.Complete();
    }

    /// <summary>Takes an approval off the queue with its verdict (under the lock); false when it had ended already.</summary>
    private bool Remove(ApprovalWaiting waiting, ApprovalVerdict verdict, Exception? failure = null)
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
        StartShowing(head, head.AwaitsButton ? null : head.Touch);
    }

    /// <summary>Shows the head (or its next step) with a fresh timeout, and starts its touch wait when that is what it waits for.</summary>
    private void StartShowing(ApprovalWaiting head, Func<CancellationToken, Task>? touch)
    {
        head.ShownAt = _time.GetTimestamp();
        head.Timer?.Dispose();
        head.Timer = _time.CreateTimer(_ => Finish(head, ApprovalVerdict.Timeout), null, _options.Timeout, Timeout.InfiniteTimeSpan);
        ShowText();
        if (touch is not null) _ = RunTouch(head, touch);
    }

    /// <summary>The touch wait of the approval on display; its end (touched, no touch, token error) is its verdict.</summary>
    private async Task RunTouch(ApprovalWaiting head, Func<CancellationToken, Task> touch)
    {
        try
        {
            await Task.Yield(); // never run the token call under the gate's lock
            await touch(head.Abandoned.Token).ConfigureAwait(false);
            Finish(head, ApprovalVerdict.Approved);
        }
        catch (OperationCanceledException) when (head.Abandoned.IsCancellationRequested) { }
        catch (Exception e) { Finish(head, ApprovalVerdict.Failed, e); }
    }

    private void ShowText()
    {
        if (_disposed || _queue.Count == 0) return;
        var head = _queue[0];
        var lines = ApprovalDisplay.Lines(head.Request, _queue.Count - 1);
        // A touch approval reads exactly like a button one, plus what to do; a two-step one says which step it is at.
        IReadOnlyList<string> todo = (head.Touch, head.Request.TwoStep, head.Step) switch
        {
            (null, _, _) => [],
            (_, false, _) => ["touch the key"],
            (_, true, 1) => ["step 1/2: button", "then: touch key"],
            _ => ["step 2/2: touch", "the key now"],
        };
        _display.ShowApproval([lines[0], .. todo, .. lines.Skip(1)]);
    }

    public void Dispose()
    {
        List<ApprovalWaiting> stopped;
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
}
