using Appliance.Common;

namespace Appliance.Devices.Tokens;

/// <summary>
/// How to find and unlock a PKCS#11 token. Give a label, a serial, both (both must match) or neither
/// (then exactly one initialized token must be present).
/// </summary>
/// <param name="ModulePath">The PKCS#11 module, e.g. /usr/lib/aarch64-linux-gnu/libykcs11.so.2 or /usr/lib/softhsm/libsofthsm2.so.</param>
/// <param name="TokenLabel">The token label (ykcs11: "YubiKey PIV #12345678").</param>
/// <param name="TokenSerial">The token serial number as the module reports it.</param>
/// <param name="Pin">
/// The user PIN. <see cref="Pkcs11Token.Open"/> takes ownership: it disposes (zeroes) the PIN as soon as
/// the login has been attempted, whether it succeeded or not. A string is never used because it would
/// linger in the managed heap.
/// </param>
public sealed record Pkcs11TokenOptions(string ModulePath, string? TokenLabel, string? TokenSerial, SecretBytes Pin);
