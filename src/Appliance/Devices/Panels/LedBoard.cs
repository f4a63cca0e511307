using Appliance.Panel;

namespace Appliance.Devices.Panels;

/// <summary>What an LED is asked to do (a pulse is a momentary flash on top of this).</summary>
public enum LedMode { Off, On, Blink }

/// <summary>
/// The four LEDs' modes, and the level each shows right now: blinking LEDs share one timer so
/// they blink in step, and a pulse lights an LED for a moment before it returns to its mode.
/// Every panel keeps one; only the GPIO panel passes a <c>write</c> that drives pins (without it
/// no timer runs and only modes and pulse counts are kept, for the console and socket panels).
/// </summary>
public sealed class LedBoard : IDisposable
{
    private static readonly Led[] AllLeds = Enum.GetValues<Led>();

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _blinkHalfPeriod;
    private readonly TimeSpan _pulseLength;
    private readonly Action<Led, bool>? _write;
    private readonly LedMode[] _modes = new LedMode[AllLeds.Length];
    private readonly bool?[] _levels = new bool?[AllLeds.Length];
    private readonly long[] _pulseUntil = new long[AllLeds.Length];
    private readonly int[] _pulses = new int[AllLeds.Length];
    private ITimer? _blinkTimer;
    private ITimer? _pulseTimer;
    private bool _blinkPhase;
    private bool _disposed;

    public LedBoard(TimeProvider time, TimeSpan blinkHalfPeriod, TimeSpan pulseLength, Action<Led, bool>? write)
    {
        if (blinkHalfPeriod <= TimeSpan.Zero || pulseLength <= TimeSpan.Zero)
            throw new ArgumentException("Blink and pulse durations must be positive.");
        _time = time;
        _blinkHalfPeriod = blinkHalfPeriod;
        _pulseLength = pulseLength;
        _write = write;
        lock (_lock) WriteAll();
    }

    /// <summary>Raised (outside the lock) when an LED's mode changes; not on blink phases or pulses.</summary>
    public event Action? ModeChanged;

    public LedMode Mode(Led led) { lock (_lock) return _modes[(int)led]; }

    public int Pulses(Led led) { lock (_lock) return _pulses[(int)led]; }

    public IReadOnlyDictionary<Led, LedMode> Modes()
    {
        lock (_lock) return AllLeds.ToDictionary(l => l, l => _modes[(int)l]);
    }

    public void Set(Led led, bool on) => ChangeMode(led, on ? LedMode.On : LedMode.Off);

    public void Blink(Led led) => ChangeMode(led, LedMode.Blink);

    public void Pulse(Led led)
    {
        lock (_lock)
        {
            if (_disposed) return;
            _pulses[(int)led]++;
            if (_write is null) return;
            _pulseUntil[(int)led] = _time.GetTimestamp() + (long)(_pulseLength.TotalSeconds * _time.TimestampFrequency);
            _pulseTimer ??= _time.CreateTimer(_ => EndPulses(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _pulseTimer.Change(_pulseLength, Timeout.InfiniteTimeSpan);
            WriteLevel(led);
        }
    }

    private void ChangeMode(Led led, LedMode mode)
    {
        lock (_lock)
        {
            if (_disposed || _modes[(int)led] == mode) return;
            _modes[(int)led] = mode;
            if (mode == LedMode.Blink && _write is not null && _blinkTimer is null)
            {
                // A new blink starts lit, so the operator sees it at once.
                _blinkPhase = true;
                _blinkTimer = _time.CreateTimer(_ => ToggleBlink(), null, _blinkHalfPeriod, _blinkHalfPeriod);
            }
            else if (_blinkTimer is not null && !_modes.Contains(LedMode.Blink))
            {
                _blinkTimer.Dispose();
                _blinkTimer = null;
            }
            WriteLevel(led);
        }
        ModeChanged?.Invoke();
    }

    private void ToggleBlink()
    {
        lock (_lock)
        {
            if (_disposed || _blinkTimer is null) return;
            _blinkPhase = !_blinkPhase;
            WriteAll();
        }
    }

    private void EndPulses()
    {
        lock (_lock)
        {
            if (_disposed) return;
            var now = _time.GetTimestamp();
            long next = long.MaxValue;
            foreach (var led in AllLeds)
            {
                var until = _pulseUntil[(int)led];
                if (until == 0) continue;
                if (until <= now)
                {
                    _pulseUntil[(int)led] = 0;
                    WriteLevel(led);
                }
                else next = Math.Min(next, until);
            }
            if (next != long.MaxValue)
                _pulseTimer?.Change(TimeSpan.FromSeconds((double)(next - now) / _time.TimestampFrequency), Timeout.InfiniteTimeSpan);
        }
    }

    private void WriteAll()
    {
        foreach (var led in AllLeds) WriteLevel(led);
    }

    /// <summary>Writes an LED's level only when it changes, so a pin sees one write per real change.</summary>
    private void WriteLevel(Led led)
    {
        if (_write is null) return;
        var i = (int)led;
        var level = _pulseUntil[i] != 0 || _modes[i] switch
        {
            LedMode.On => true,
            LedMode.Blink => _blinkPhase,
            _ => false,
        };
        if (_levels[i] == level) return;
        _levels[i] = level;
        _write(led, level);
    }

    /// <summary>Stops the timers and turns every LED off.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _blinkTimer?.Dispose();
            _pulseTimer?.Dispose();
            Array.Clear(_modes);
            Array.Clear(_pulseUntil);
            WriteAll();
            _disposed = true;
        }
    }
}
