using System.Device.I2c;
using Iot.Device.Graphics;
using Iot.Device.Ssd13xx;
using Iot.Device.Ssd13xx.Commands;
using Iot.Device.Ssd13xx.Commands.Ssd1306Commands;

namespace Appliance.Devices.Panels.Display;

/// <summary>
/// An SSD1306 OLED (128x64 or 128x32) on I2C, showing text in Iot.Device's 5x8 font: 21 columns
/// of 6 pixels, one row per 8-pixel page. Iot.Device 4.2's Ssd1306 sets the controller up for 32
/// rows and draws four pages; for a 64-row module we switch the multiplex ratio and COM pin layout
/// after it and send all eight pages ourselves.
/// </summary>
public sealed class Ssd1306TextDisplay : ITextDisplay
{
    public const int Width = 128;
    private const int CellWidth = 6;
    private static readonly Font5x8 Font = new();

    private readonly Ssd1306 _oled;
    private readonly int _height;
    private readonly MonoImage _image;

    public Ssd1306TextDisplay(I2cDevice device, int height)
    {
        if (height is not (32 or 64)) throw new ArgumentException("An SSD1306 has 32 or 64 rows.", nameof(height));
        // Library-wide registration, needed before the driver clears the screen; registering the
        // same factory again is harmless.
        BitmapImage.RegisterImageFactory(new MonoImageFactory());
        _oled = new Ssd1306(device, Width, 32);
        _height = height;
        if (height == 64)
        {
            _oled.SendCommand(new SetMultiplexRatio(63));
            _oled.SendCommand(new SetComPinsHardwareConfiguration(alternativeComPinConfiguration: true, enableLeftRightRemap: false));
        }
        _image = new MonoImage(Width, height, PixelFormat.Format32bppXrgb);
        Draw();
    }

    public int Rows => _height / 8;
    public int Columns => Width / CellWidth;

    public void Show(IReadOnlyList<string> rows)
    {
        _image.Clear(System.Drawing.Color.Black);
        for (var row = 0; row < Rows && row < rows.Count; row++)
        {
            var text = TextCells.Fit(rows[row], Columns, TextCells.AsciiPrintable);
            for (var col = 0; col < text.Length; col++)
                DrawGlyph(text[col], col * CellWidth, row * 8);
        }
        Draw();
    }

    private void DrawGlyph(char c, int left, int top)
    {
        Font.GetCharData(c, out var glyph);
        for (var y = 0; y < 8; y++)
            for (var x = 0; x < 5; x++)
                _image.Set(left + x, top + y, ((glyph[y] >> (4 - x)) & 1) != 0);
    }

    private void Draw()
    {
        var bytes = _oled.PreRenderBitmap(_image);
        _oled.SendCommand(new SetColumnAddress(0, Width - 1));
        _oled.SendCommand(new SetPageAddress(PageAddress.Page0, (PageAddress)(Rows - 1)));
        for (var i = 0; i < bytes.Length; i += 16)
            _oled.SendData(bytes.AsSpan(i, Math.Min(16, bytes.Length - i)));
    }

    public void Dispose()
    {
        _image.Clear(System.Drawing.Color.Black);
        Draw();
        _oled.EnableDisplay(false);
        _oled.Dispose();
    }
}
