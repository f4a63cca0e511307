using Appliance.Common;
using Appliance.Token;

namespace Appliance.Sealing;

/// <summary>The envelope's names for the two sealing slots ("seal", "seal-touch", through <see cref="Wire"/>).</summary>
public static class SealSlots
{
    public static string ToWire(KeySlot slot) => slot is KeySlot.Seal or KeySlot.SealTouch
        ? Wire.Name(slot)
        : throw new ArgumentOutOfRangeException(nameof(slot), slot, "Only the seal and seal-touch slots seal credentials.");

    public static bool TryParse(string? wire, out KeySlot slot) =>
        Wire.TryParse(wire, out slot) && slot is KeySlot.Seal or KeySlot.SealTouch;
}
