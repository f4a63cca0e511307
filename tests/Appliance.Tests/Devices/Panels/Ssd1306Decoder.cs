using Iot.Device.Graphics;

namespace Appliance.Tests.Devices.Panels;

/// <summary>
/// Replays I2C writes to an SSD1306 through a model of its graphics RAM: a write starting 0x00
/// carries a command and its arguments, one starting 0x40 carries display data, which fills the
/// column/page window set by 0x21/0x22 in horizontal addressing mode. Text is read back from the
/// pixels by matching 6x8 cells against the 5x8 font.
/// </summary>
public sealed class Ssd1306Decoder
{
    private readonly byte[,] _ram = new byte[8, 128];
    private int _colStart, _colEnd = 127, _pageStart, _pageEnd = 7, _col, _page;

    public int MultiplexRatio { get; private set; } = 63;
    public bool AlternativeComPins { get; private set; } = true;
    public bool DisplayOn { get; private set; }
    public int DataBytes { get; private set; }

    public static Ssd1306Decoder Replay(IEnumerable<byte[]> writes)
    {
        var oled = new Ssd1306Decoder();
        foreach (var write in writes) oled.Feed(write);
        return oled;
    }

    public int Rows => (MultiplexRatio + 1) / 8;

    public bool Pixel(int x, int y) => ((_ram[y / 8, x] >> (y % 8)) & 1) != 0;

    public void Feed(byte[] write)
    {
        if (write.Length < 2) throw new InvalidOperationException("An SSD1306 write needs a control byte and a payload");
        if (write[0] == 0x40)
        {
            foreach (var b in write.AsSpan(1)) Data(b);
            return;
        }
        if (write[0] != 0x00) throw new InvalidOperationException($"Unknown control byte 0x{write[0]:X2}");
        var args = write.AsSpan(2);
        switch (write[1])
        {
            case 0x21: _colStart = _col = args[0]; _colEnd = args[1]; break;
            case 0x22: _pageStart = _page = args[0]; _pageEnd = args[1]; break;
            case 0xA8: MultiplexRatio = args[0]; break;
            case 0xDA: AlternativeComPins = (args[0] & 0x10) != 0; break;
            case 0xAE: DisplayOn = false; break;
            case 0xAF: DisplayOn = true; break;
        }
    }

    private void Data(byte b)
    {
        DataBytes++;
        _ram[_page, _col] = b;
        if (++_col <= _colEnd) return;
        _col = _colStart;
        if (++_page > _pageEnd) _page = _pageStart;
    }

    /// <summary>The text in each visible 8-pixel row, 21 cells of 6 pixels; a cell no glyph matches reads '?'.</summary>
    public IReadOnlyList<string> TextRows()
    {
        var glyphs = Glyphs();
        var rows = new List<string>();
        for (var row = 0; row < Rows; row++)
        {
            var chars = new char[21];
            for (var cell = 0; cell < 21; cell++)
            {
                var key = CellKey(cell * 6, row * 8);
                chars[cell] = glyphs.TryGetValue(key, out var c) ? c : '?';
            }
            rows.Add(new string(chars).TrimEnd());
        }
        return rows;
    }

    private string CellKey(int left, int top)
    {
        var bits = new char[48];
        for (var y = 0; y < 8; y++)
            for (var x = 0; x < 6; x++)
                bits[y * 6 + x] = left + x < 128 && Pixel(left + x, top + y) ? '1' : '0';
        return new string(bits);
    }

    private static Dictionary<string, char> Glyphs()
    {
        var font = new Font5x8();
        var map = new Dictionary<string, char>();
        for (var c = ' '; c <= '~'; c++)
        {
            font.GetCharData(c, out var rows);
            var bits = new char[48];
            for (var y = 0; y < 8; y++)
                for (var x = 0; x < 6; x++)
                    bits[y * 6 + x] = x < 5 && ((rows[y] >> (4 - x)) & 1) != 0 ? '1' : '0';
            map.TryAdd(new string(bits), c);
        }
        return map;
    }
}
