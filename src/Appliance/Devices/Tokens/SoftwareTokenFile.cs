using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Appliance.Common;
using Appliance.Token;

namespace Appliance.Devices.Tokens;

/// <summary>
/// Persistence of the demo token so a demo data dir can be reused. The file holds the private keys
/// (PKCS#8, base64) in the clear and says so; it is written with AtomicFile (mode 0600).
/// <code>
/// {"v":1,"kind":"software-token","warning":"…","serial":"software-1a2b3c4d",
///  "created":"2026-01-02T03:04:05Z","keys":{"audit":"…","seal":"…","seal-touch":"…","policy":"…"}}
/// </code>
/// </summary>
public sealed partial class SoftwareToken
{
    public const string FileKind = "software-token";
    public const string FileWarning = "software token: these keys protect nothing; use a YubiKey in production";
    private const int FileVersion = 1;

    /// <summary>The JSON field name of each slot's key in the token file.</summary>
    public static string SlotFieldName(KeySlot slot) => slot switch
    {
        KeySlot.Audit => "audit",
        KeySlot.Seal => "seal",
        KeySlot.SealTouch => "seal-touch",
        KeySlot.Policy => "policy",
        _ => throw new ArgumentOutOfRangeException(nameof(slot), slot, "Unknown key slot."),
    };

    /// <summary>Writes the token (private keys included) to <paramref name="path"/>, atomically, mode 0600.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        // Sized so the writer never grows (a regrow would leave a copy of the keys behind).
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        try
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true });
                json.WriteStartObject();
                json.WriteNumber("v", FileVersion);
                json.WriteString("kind", FileKind);
                json.WriteString("warning", FileWarning);
                json.WriteString("serial", Serial);
                json.WriteString("created", Created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
                json.WriteStartObject("keys");
                foreach (var slot in KeySlots.All)
                {
                    var pkcs8 = _keys[slot].Signer.ExportPkcs8PrivateKey();
                    try { json.WriteBase64String(SlotFieldName(slot), pkcs8); }
                    finally { CryptographicOperations.ZeroMemory(pkcs8); }
                }
                json.WriteEndObject();
                json.WriteEndObject();
            }
            AtomicFile.WriteAllBytes(path, buffer.WrittenSpan);
        }
        finally
        {
            buffer.Clear(); // zeroes what was written
        }
    }

    /// <summary>Reads a token written by <see cref="Save"/>. Malformed files: <see cref="FormatException"/> naming the field.</summary>
    public static SoftwareToken Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var bytes = File.ReadAllBytes(path);
        var keys = new Dictionary<KeySlot, (ECDsa, ECDiffieHellman, byte[])>();
        try
        {
            using var document = ParseDocument(bytes, path);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Malformed(path, "(root)", "must be a JSON object");
            if (!root.TryGetProperty("v", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var v) || v != FileVersion)
                throw Malformed(path, "v", $"must be {FileVersion}");
            if (RequireString(root, "kind", path) != FileKind)
                throw Malformed(path, "kind", $"must be \"{FileKind}\"; is this a software token file?");
            var serial = RequireString(root, "serial", path);
            if (!serial.StartsWith(SerialPrefix, StringComparison.Ordinal) || serial.Length > 64)
                throw Malformed(path, "serial", $"must start with \"{SerialPrefix}\"");
            if (!DateTimeOffset.TryParseExact(RequireString(root, "created", path), "yyyy-MM-ddTHH:mm:ssZ",
                    CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var created))
                throw Malformed(path, "created", "must be a UTC time like 2026-01-02T03:04:05Z");
            if (!root.TryGetProperty("keys", out var keysElement) || keysElement.ValueKind != JsonValueKind.Object)
                throw Malformed(path, "keys", "must be an object with one key per slot");
            foreach (var slot in KeySlots.All)
                keys[slot] = LoadKey(keysElement, slot, path);
            return new SoftwareToken(serial, created, keys);
        }
        catch
        {
            DisposeKeys(keys);
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private static JsonDocument ParseDocument(byte[] bytes, string path)
    {
        try { return JsonDocument.Parse(bytes); }
        catch (JsonException e) { throw new FormatException($"Software token file '{path}' is not valid JSON; delete it to start a fresh demo token.", e); }
    }

    private static (ECDsa, ECDiffieHellman, byte[]) LoadKey(JsonElement keys, KeySlot slot, string path)
    {
        var field = "keys." + SlotFieldName(slot);
        if (!keys.TryGetProperty(SlotFieldName(slot), out var element) || element.ValueKind != JsonValueKind.String)
            throw slot == KeySlot.Policy
                ? new FormatException($"Software token file '{path}' was made by an older demo and has no policy key (slot 84); delete that demo data dir and run 'appliance demo' again.")
                : Malformed(path, field, "is missing");
        if (!element.TryGetBytesFromBase64(out var pkcs8))
            throw Malformed(path, field, "must be base64");
        try { return ImportKeyPair(pkcs8); }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new FormatException($"Software token file '{path}': field '{field}' is not a P-256 PKCS#8 private key.", e);
        }
        finally { CryptographicOperations.ZeroMemory(pkcs8); }
    }

    private static string RequireString(JsonElement root, string field, string path) =>
        root.TryGetProperty(field, out var element) && element.ValueKind == JsonValueKind.String
            ? element.GetString()!
            : throw Malformed(path, field, "must be a string");

    private static FormatException Malformed(string path, string field, string problem) =>
        new($"Software token file '{path}': field '{field}' {problem}.");
}
