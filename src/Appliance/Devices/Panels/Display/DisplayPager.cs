using Microsoft.Extensions.Logging;

namespace Appliance.Devices.Panels.Display;

/// <summary>
/// Puts lines of text on a small display: wraps lines wider than the display, splits them into
/// screens of <see cref="ITextDisplay.Rows"/> rows, and cycles the screens on a timer, so a long
/// withdrawal address can be read in chunks on a 16x2 LCD. The I2C writes run on the pager's own
/// thread (latest text wins), so a signing request never waits for the display.
/// </summary>
public sealed class DisplayPager : IDisposable
{
    private readonly ITextDisplay _display;
    private readonly ILogger _logger;
    private readonly ITimer _pageTimer;
    private readonly TimeSpan _pageInterval;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private IReadOnlyList<IReadOnlyList<string>> _pages = [[]];
    private int _page;
    private bool _dirty;
    private int _drawn;

    public DisplayPager(ITextDisplay display, TimeProvider time, TimeSpan pageInterval, ILogger logger)
    {
        _display = display;
        _logger = logger;
        _pageInterval = pageInterval;
        _pageTimer = time.CreateTimer(_ => NextPage(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _thread = new Thread(DrawLoop) { IsBackground = true, Name = "panel display" };
        _thread.Start();
    }

    /// <summary>The screens the current text was split into.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Pages { get { lock (_lock) return _pages; } }

    /// <summary>How many screens have been sent to the display (for tests and <c>panel test</c>).</summary>
    public int Drawn => Volatile.Read(ref _drawn);

    public void Show(IReadOnlyList<string> lines)
    {
        var pages = Paginate(lines, _display.Rows, _display.Columns);
        lock (_lock)
        {
            if (SameText(pages, _pages)) return; // a refresh must not restart the cycle
            _pages = pages;
            _page = 0;
            _dirty = true;
            _pageTimer.Change(pages.Count > 1 ? _pageInterval : Timeout.InfiniteTimeSpan,
                pages.Count > 1 ? _pageInterval : Timeout.InfiniteTimeSpan);
        }
        _wake.Release();
    }

    public static IReadOnlyList<IReadOnlyList<string>> Paginate(IReadOnlyList<string> lines, int rows, int columns)
    {
        var wrapped = new List<string>();
        foreach (var line in lines)
        {
            if (line.Length == 0) { wrapped.Add(""); continue; }
            for (var i = 0; i < line.Length; i += columns)
                wrapped.Add(line.Substring(i, Math.Min(columns, line.Length - i)));
        }
        if (wrapped.Count == 0) return [[]];
        return wrapped.Chunk(rows).Select(p => (IReadOnlyList<string>)p).ToList();
    }

    private static bool SameText(IReadOnlyList<IReadOnlyList<string>> a, IReadOnlyList<IReadOnlyList<string>> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.SequenceEqual(p.Second));

    private void NextPage()
    {
        lock (_lock)
        {
            if (_pages.Count < 2) return;
            _page = (_page + 1) % _pages.Count;
            _dirty = true;
        }
        _wake.Release();
    }

    private void DrawLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            try { _wake.Wait(_stop.Token); }
            catch (OperationCanceledException) { return; }
            IReadOnlyList<string> rows;
            lock (_lock)
            {
                if (!_dirty) continue;
                _dirty = false;
                rows = _pages[_page];
            }
            try
            {
                _display.Show(rows);
                Interlocked.Increment(ref _drawn);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException or TimeoutException)
            {
                // A loose display wire must not take the signer down; the LEDs still work.
                _logger.LogWarning("Panel display write failed: {Error}", e.Message);
            }
        }
    }

    public void Dispose()
    {
        _pageTimer.Dispose();
        _stop.Cancel();
        _thread.Join(TimeSpan.FromSeconds(2));
        try { _display.Dispose(); } // clears the screen: best effort
        catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException)
        {
            _logger.LogWarning("Panel display did not close cleanly: {Error}", e.Message);
        }
        _stop.Dispose();
        _wake.Dispose();
    }
}
