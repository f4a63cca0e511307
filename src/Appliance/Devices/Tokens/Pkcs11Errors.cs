using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;
using Appliance.Token;

namespace Appliance.Devices.Tokens;

/// <summary>Turns PKCS#11 return values into messages that tell the operator what to do next.</summary>
internal static class Pkcs11Errors
{
    public static string Describe(KeySlot slot) => $"PIV slot {slot.PivName()} (CKA_ID {(byte)slot})";

    public static InvalidOperationException MissingKey(KeySlot slot) =>
        new($"No key in {Describe(slot)}; run appliance init.");

    public static TokenLoginException LoginFailed(CKR rv, ITokenFlags? flagsAfterFailure) => rv switch
    {
        CKR.CKR_PIN_INCORRECT => new TokenLoginException(
            $"Wrong PIN; {TriesLeft(flagsAfterFailure)} Check the PIN and try again (the appliance never retries a PIN by itself)."),
        CKR.CKR_PIN_LOCKED => new TokenLoginException(
            "The PIN is blocked. On a YubiKey unblock it with the PUK: yubico-piv-tool -a unblock-pin " +
            "(or ykman piv access unblock-pin); on SoftHSM2 set a new user PIN as SO (pkcs11-tool --init-pin --login --login-type so)."),
        CKR.CKR_PIN_EXPIRED => new TokenLoginException(
            "The PIN has expired; change it (yubico-piv-tool -a change-pin) and try again."),
        CKR.CKR_PIN_LEN_RANGE or CKR.CKR_ARGUMENTS_BAD => new TokenLoginException(
            "The token rejected the PIN's length (a YubiKey PIV PIN has 6 to 8 characters); check the PIN file."),
        _ => new TokenLoginException($"Login to the token failed ({rv}); check that it is a PIV token and that the PIN is set."),
    };

    public static InvalidOperationException OperationFailed(string operation, KeySlot slot, Pkcs11Exception e) => e.RV switch
    {
        CKR.CKR_USER_NOT_LOGGED_IN or CKR.CKR_FUNCTION_FAILED or CKR.CKR_DEVICE_ERROR => new InvalidOperationException(
            $"{operation} with {Describe(slot)} failed ({e.RV}). If this slot requires a touch, the YubiKey waited for one " +
            "that did not come; otherwise the token may have been removed or logged out: reopen it.", e),
        CKR.CKR_DEVICE_REMOVED or CKR.CKR_TOKEN_NOT_PRESENT or CKR.CKR_SESSION_HANDLE_INVALID or CKR.CKR_SESSION_CLOSED =>
            new InvalidOperationException($"{operation} with {Describe(slot)} failed: the token was removed ({e.RV}); reinsert it and reopen.", e),
        _ => new InvalidOperationException($"{operation} with {Describe(slot)} failed ({e.RV}).", e),
    };

    private static string TriesLeft(ITokenFlags? flags)
    {
        if (flags is null) return "the token did not say how many tries remain.";
        if (flags.UserPinLocked) return "no tries remain: the PIN is now blocked; unblock it with the PUK (yubico-piv-tool -a unblock-pin).";
        if (flags.UserPinFinalTry) return "1 try may remain before the PIN is blocked.";
        if (flags.UserPinCountLow) return "few tries may remain before the PIN is blocked.";
        return "some tries may remain before the PIN is blocked (a YubiKey blocks after 3 wrong PINs by default).";
    }
}
