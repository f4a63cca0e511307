namespace Appliance.Token;

/// <summary>
/// The token keys the appliance uses, named by role. The numeric value is the PKCS#11 CKA_ID in
/// ykcs11's PIV mapping (9a=1, 9c=2, 9d=3, 9e=4, retired 82..95 = 5..24); SoftHSM2 and the software
/// token use the same ids, so one code path serves all three.
/// </summary>
public enum KeySlot : byte
{
    /// <summary>PIV 9a: signs audit checkpoints.</summary>
    Audit = 1,

    /// <summary>PIV 9d: seals credentials that need no touch.</summary>
    Seal = 3,

    /// <summary>PIV retired slot 83 (touch policy always): seals withdraw-capable credentials.</summary>
    SealTouch = 6,

    /// <summary>
    /// PIV retired slot 84 (touch policy always on a YubiKey): signs policy records (bot profiles, credentials, the
    /// signed keys of appliance.json). Anything that widens a bot's power needs this signature, so a touch.
    /// </summary>
    Policy = 7,
}

public static class KeySlots
{
    public static readonly KeySlot[] All = [KeySlot.Audit, KeySlot.Seal, KeySlot.SealTouch, KeySlot.Policy];

    /// <summary>Slots whose YubiKey key has touch policy "always".</summary>
    public static bool NeedsTouch(this KeySlot slot) => slot is KeySlot.SealTouch or KeySlot.Policy;

    /// <summary>The PIV slot name a YubiKey operator sees in yubico-piv-tool.</summary>
    public static string PivName(this KeySlot slot) => slot switch
    {
        KeySlot.Audit => "9a",
        KeySlot.Seal => "9d",
        KeySlot.SealTouch => "83",
        KeySlot.Policy => "84",
        _ => throw new ArgumentOutOfRangeException(nameof(slot), slot, "Unknown key slot."),
    };
}
