using System.Device.I2c;

namespace Appliance.Tests.Devices.Panels;

/// <summary>
/// An I2C peripheral for tests: records every write transaction in order. Like a real bus, a
/// device that stops answering (unplugged, wrong address) makes writes fail with an IOException.
/// Reads return 0xFF (lines pulled up, what a PCF8574 with all pins released returns).
/// </summary>
public sealed class FakeI2cDevice(int address) : I2cDevice
{
    private readonly Lock _lock = new();
    private readonly List<byte[]> _writes = [];

    /// <summary>True: the device does not acknowledge (Linux reports error 121, remote I/O).</summary>
    public bool Unplugged { get; set; }

    public bool Disposed { get; private set; }

    public override I2cConnectionSettings ConnectionSettings { get; } = new(1, address);

    public IReadOnlyList<byte[]> Writes { get { lock (_lock) return _writes.ToList(); } }

    public int WriteCount { get { lock (_lock) return _writes.Count; } }

    public override void Read(Span<byte> buffer)
    {
        if (Unplugged) throw new IOException("Error 121 performing I2C data transfer.");
        buffer.Fill(0xFF);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (Unplugged) throw new IOException("Error 121 performing I2C data transfer.");
        var copy = buffer.ToArray();
        lock (_lock) _writes.Add(copy);
    }

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        Read(readBuffer);
    }

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }
}
