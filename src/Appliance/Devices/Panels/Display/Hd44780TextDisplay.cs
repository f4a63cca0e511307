using System.Device.Gpio;
using System.Device.I2c;
using Iot.Device.CharacterLcd;
using Iot.Device.Pcx857x;

namespace Appliance.Devices.Panels.Display;

/// <summary>
/// A 16x2 HD44780 LCD behind the common PCF8574 I2C backpack (P0 RS, P1 RW, P2 EN, P3 backlight,
/// P4-P7 D4-D7), driven by Iot.Device's Lcd1602 in 4-bit mode through the expander's GPIO driver.
/// </summary>
public sealed class Hd44780TextDisplay : ITextDisplay
{
    private readonly Lcd1602 _lcd;
    private readonly string[] _shown;

    public Hd44780TextDisplay(I2cDevice device)
    {
        var expander = new GpioController(new Pcf8574(device));
        _lcd = new Lcd1602(registerSelectPin: 0, enablePin: 2, dataPins: [4, 5, 6, 7], backlightPin: 3,
            backlightBrightness: 1f, readWritePin: 1, controller: expander, shouldDispose: true);
        _lcd.Clear();
        _shown = new string[Rows];
    }

    public int Rows => 2;
    public int Columns => 16;

    public void Show(IReadOnlyList<string> rows)
    {
        for (var row = 0; row < Rows; row++)
        {
            var text = TextCells.Fit(row < rows.Count ? rows[row] : "", Columns, TextCells.Hd44780Printable);
            if (_shown[row] == text) continue; // each character costs six I2C writes
            _lcd.SetCursorPosition(0, row);
            _lcd.Write(text);
            _shown[row] = text;
        }
    }

    public void Dispose()
    {
        _lcd.Clear();
        _lcd.BacklightOn = false;
        _lcd.Dispose();
    }
}
