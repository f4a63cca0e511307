namespace Appliance.Tests.Devices.Panels;

/// <summary>
/// Replays the bytes written to a PCF8574 LCD backpack (P0 RS, P1 RW, P2 EN, P3 backlight,
/// P4-P7 D4-D7) through a model of the HD44780: the controller latches D4-D7 on the falling edge
/// of EN, starts in 8-bit mode, switches to 4-bit on a function set with DL=0, and then takes a
/// byte as two nibbles. Commands move the DDRAM address; data writes fill DDRAM. The visible rows
/// of a 16x2 are DDRAM 0x00-0x0F and 0x40-0x4F.
/// </summary>
public sealed class Hd44780Decoder
{
    private readonly char[] _ddram = new char[0x68];
    private bool _eightBit = true;
    private int? _highNibble;
    private int _address;
    private bool _cgram;
    private bool _increment = true;
    private byte _last;

    public bool DisplayOn { get; private set; }
    public bool Backlight { get; private set; }
    public bool FourBitMode => !_eightBit;
    public bool TwoLines { get; private set; }
    public int Commands { get; private set; }

    public Hd44780Decoder() => Array.Fill(_ddram, ' ');

    public static Hd44780Decoder Replay(IEnumerable<byte[]> writes)
    {
        var lcd = new Hd44780Decoder();
        foreach (var write in writes)
            foreach (var b in write) lcd.Feed(b);
        return lcd;
    }

    public string Row(int row) => new(_ddram, row == 0 ? 0x00 : 0x40, 16);

    public IReadOnlyList<string> Rows => [Row(0), Row(1)];

    public void Feed(byte port)
    {
        Backlight = (port & 0x08) != 0;
        var enableFell = (_last & 0x04) != 0 && (port & 0x04) == 0;
        var latched = _last;
        _last = port;
        if (!enableFell) return;
        if ((latched & 0x02) != 0) throw new InvalidOperationException("RW high: the panel must only write to the LCD");
        var rs = (latched & 0x01) != 0;
        var nibble = latched >> 4;
        if (_eightBit)
        {
            Execute(rs, nibble << 4); // the low data lines are not wired; they read as 0
            return;
        }
        if (_highNibble is null) { _highNibble = nibble; return; }
        var value = (_highNibble.Value << 4) | nibble;
        _highNibble = null;
        Execute(rs, value);
    }

    private void Execute(bool rs, int value)
    {
        if (rs)
        {
            if (_cgram) return;
            _ddram[_address] = (char)value;
            _address = (_address + (_increment ? 1 : -1) + _ddram.Length) % _ddram.Length;
            return;
        }
        Commands++;
        if (value >= 0x80) { _address = value & 0x7F; _cgram = false; }
        else if (value >= 0x40) _cgram = true;
        else if (value >= 0x20) { _eightBit = (value & 0x10) != 0; TwoLines = (value & 0x08) != 0; }
        else if (value >= 0x10) { /* cursor/display shift: unused */ }
        else if (value >= 0x08) DisplayOn = (value & 0x04) != 0;
        else if (value >= 0x04) _increment = (value & 0x02) != 0;
        else if (value >= 0x02) _address = 0;
        else if (value == 0x01) { Array.Fill(_ddram, ' '); _address = 0; _increment = true; }
    }
}
