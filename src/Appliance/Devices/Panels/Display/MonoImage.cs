using System.Drawing;
using Iot.Device.Graphics;

namespace Appliance.Devices.Panels.Display;

/// <summary>
/// An in-memory one-bit picture. Iot.Device's graphic displays ask a registered
/// <see cref="IImageFactory"/> for bitmaps, and the usual SkiaSharp adapter is not available here,
/// so the SSD1306 gets this one; we draw text into it ourselves.
/// </summary>
public sealed class MonoImage(int width, int height, PixelFormat format)
    : BitmapImage(width, height, width * 4, format)
{
    private readonly bool[] _pixels = new bool[width * height];

    public override void SetPixel(int x, int y, Color color) => _pixels[y * Width + x] = color.GetBrightness() > 0.5f;

    public override Color GetPixel(int x, int y) => _pixels[y * Width + x] ? Color.White : Color.Black;

    public void Set(int x, int y, bool on) => _pixels[y * Width + x] = on;

    public override Span<byte> AsByteSpan() =>
        throw new NotSupportedException("MonoImage keeps one bool per pixel; read it with GetPixel.");

    public override void SaveToStream(Stream stream, ImageFileType format) =>
        throw new NotSupportedException("MonoImage cannot be saved; it only feeds the display.");

    public override IGraphics GetDrawingApi() =>
        throw new NotSupportedException("MonoImage has no drawing API; the panel draws glyphs pixel by pixel.");

    protected override void Dispose(bool disposing) { }
}

public sealed class MonoImageFactory : IImageFactory
{
    public BitmapImage CreateBitmap(int width, int height, PixelFormat pixelFormat) => new MonoImage(width, height, pixelFormat);

    public BitmapImage CreateFromStream(Stream file) =>
        throw new NotSupportedException("The panel never loads images from files.");
}
