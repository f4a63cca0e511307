using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Appliance.Devices.Tokens;

/// <summary>Picks the slot whose token matches the options' label and/or serial.</summary>
internal static class Pkcs11TokenSelector
{
    public sealed record Candidate(ISlot Slot, string Label, string Serial, bool Initialized)
    {
        public override string ToString() =>
            $"label \"{Label}\" serial \"{Serial}\"{(Initialized ? "" : " (uninitialized)")}";
    }

    public static Candidate Select(IPkcs11Library library, string? label, string? serial)
    {
        var candidates = library.GetSlotList(SlotsType.WithTokenPresent).Select(Describe).ToList();
        var matches = candidates
            .Where(c => c.Initialized)
            .Where(c => label is null || c.Label == label.Trim())
            .Where(c => serial is null || c.Serial == serial.Trim())
            .ToList();
        if (matches.Count == 1) return matches[0];

        var wanted = (label, serial) switch
        {
            (null, null) => "exactly one initialized token",
            (not null, null) => $"a token labelled \"{label}\"",
            (null, not null) => $"a token with serial \"{serial}\"",
            _ => $"a token labelled \"{label}\" with serial \"{serial}\"",
        };
        var seen = candidates.Count == 0 ? "none (is the token plugged in, and pcscd running for a YubiKey?)" : string.Join("; ", candidates);
        var hint = matches.Count > 1 ? " Several match; pass --token-serial to choose." : " Pass --token-label or --token-serial to choose one of them.";
        throw new InvalidOperationException($"Expected {wanted}; tokens seen: {seen}.{hint}");
    }

    private static Candidate Describe(ISlot slot)
    {
        try
        {
            var info = slot.GetTokenInfo();
            return new Candidate(slot, info.Label.Trim(), info.SerialNumber.Trim(), info.TokenFlags.TokenInitialized);
        }
        catch (Pkcs11Exception e)
        {
            // A token that cannot even describe itself is listed but never chosen.
            return new Candidate(slot, $"unreadable: {e.RV}", "?", Initialized: false);
        }
    }
}
