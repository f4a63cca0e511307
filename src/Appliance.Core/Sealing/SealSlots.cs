using Appliance.Token;

namespace Appliance.Sealing;

/// <summary>The envelope's names for the two sealing slots.</summary>
public static class SealSlots
{
    public static string ToWire(KeySlot slot) => slot switch
    {
        KeySlot.Seal => "seal",
        KeySlot.SealTouch => "seal-touch",
        _ => throw new ArgumentOutOfRangeException(nameof(slot), slot, "Only the seal and seal-touch slots seal credentials."),
    };

    public static bool TryParse(string? wire, out KeySlot slot)
    {
        switch (wire)
        {
            case "seal": slot = KeySlot.Seal; return true;
            case "seal-touch": slot = KeySlot.SealTouch; return true;
            default: slot = default; return false;
        }
    }
}
