namespace Appliance.Devices.Panels.Display;

/// <summary>A character grid the panel writes rows of text to (an LCD, or text drawn on an OLED).</summary>
public interface ITextDisplay : IDisposable
{
    int Rows { get; }
    int Columns { get; }

    /// <summary>Replaces the whole screen; each row is at most <see cref="Columns"/> long. May block on I2C for tens of ms.</summary>
    void Show(IReadOnlyList<string> rows);
}
