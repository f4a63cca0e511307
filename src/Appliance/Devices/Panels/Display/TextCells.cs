namespace Appliance.Devices.Panels.Display;

/// <summary>Fits text into a fixed number of character cells of a display's character set.</summary>
public static class TextCells
{
    /// <summary>The HD44780 A00 ROM matches ASCII from space to '}' except '\' (a yen sign).</summary>
    public static bool Hd44780Printable(char c) => c is >= ' ' and <= '}' && c != '\\';

    /// <summary>The 5x8 font has the printable ASCII range.</summary>
    public static bool AsciiPrintable(char c) => c is >= ' ' and <= '~';

    /// <summary>Pads or cuts to exactly <paramref name="columns"/> cells; characters the display lacks become '?'.</summary>
    public static string Fit(string text, int columns, Func<char, bool> printable)
    {
        var cells = new char[columns];
        for (var i = 0; i < columns; i++)
            cells[i] = i < text.Length ? (printable(text[i]) ? text[i] : '?') : ' ';
        return new string(cells);
    }
}
