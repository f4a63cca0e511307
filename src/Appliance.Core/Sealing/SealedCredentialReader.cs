using System.Globalization;
using System.Text.Json;
using Appliance.Upbit;

namespace Appliance.Sealing;

/// <summary>The JSON field names of an envelope file.</summary>
internal static class SealedCredentialFields
{
    public const string Version = "v";
    public const string Name = "name";
    public const string AccessKey = "access_key";
    public const string Approval = "approval";
    public const string Scopes = "scopes";
    public const string Created = "created";
    public const string Expires = "expires";
    public const string Slot = "slot";
    public const string Pocket = "pocket";
    public const string TokenPublicKey = "token_public_key";
    public const string EphemeralPublicKey = "epk";
    public const string Nonce = "nonce";
    public const string Ciphertext = "ciphertext";
    public const string Tag = "tag";
    public const string Recovery = "recovery";
    public const string RecoveryPublicKey = "public_key";
    public const string Policy = "policy";

    public static readonly string[] All =
        [Version, Name, AccessKey, Approval, Scopes, Created, Expires, Slot, Pocket, TokenPublicKey, EphemeralPublicKey, Nonce, Ciphertext, Tag,
         Recovery, Policy];

    /// <summary>Members only a version 3 envelope may have.</summary>
    public static readonly string[] Version3Only = [Recovery, Policy];

    public static readonly string[] RecoveryAll = [RecoveryPublicKey, EphemeralPublicKey, Nonce, Ciphertext, Tag];
}

/// <summary>Strict parsing of envelope JSON into a <see cref="SealedCredential"/>.</summary>
internal static class SealedCredentialReader
{
    private const int MaxJsonLength = 64 * 1024;

    public static SealedCredential Read(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json.Length > MaxJsonLength)
            throw new FormatException($"Sealed credential JSON is {json.Length} characters; an envelope is never more than {MaxJsonLength}.");
        JsonDocument document;
        try { document = JsonDocument.Parse(json); }
        catch (JsonException e) { throw new FormatException($"Sealed credential is not valid JSON ({e.Message}).", e); }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new FormatException("Sealed credential JSON must be an object.");
            var fields = CollectFields(root);

            var version = Require(fields, SealedCredentialFields.Version, JsonValueKind.Number);
            if (!version.TryGetInt32(out var v) || !SealedCredential.Versions.Contains(v))
                throw Bad(SealedCredentialFields.Version, $"must be {string.Join(" or ", SealedCredential.Versions)}; this envelope was written by another version of the appliance");
            if (v != SealedCredential.SignedVersion && SealedCredentialFields.Version3Only.FirstOrDefault(fields.ContainsKey) is { } newer)
                throw new FormatException($"Sealed credential field '{newer}' needs envelope version {SealedCredential.SignedVersion}, but 'v' is {v}.");

            var metadata = ReadMetadata(fields, v);
            var slotText = Require(fields, SealedCredentialFields.Slot, JsonValueKind.String).GetString();
            if (!SealSlots.TryParse(slotText, out var slot))
                throw Bad(SealedCredentialFields.Slot, "must be \"seal\" or \"seal-touch\"");
            if (slot != metadata.Slot)
                throw Bad(SealedCredentialFields.Slot, $"is \"{slotText}\" but approval \"{metadata.Approval.ToWire()}\" seals to \"{SealSlots.ToWire(metadata.Slot)}\"");

            var tokenPublicKey = Base64(fields, SealedCredentialFields.TokenPublicKey, P256Point.Length);
            var epk = Base64(fields, SealedCredentialFields.EphemeralPublicKey, P256Point.Length);
            var nonce = Base64(fields, SealedCredentialFields.Nonce, SealedCredential.NonceLength);
            var ciphertext = Base64(fields, SealedCredentialFields.Ciphertext, null);
            var tag = Base64(fields, SealedCredentialFields.Tag, SealedCredential.TagLength);
            var recovery = fields.TryGetValue(SealedCredentialFields.Recovery, out var r) ? ReadRecovery(r) : null;
            JsonElement? policy = null;
            if (fields.TryGetValue(SealedCredentialFields.Policy, out var p))
                policy = p.ValueKind == JsonValueKind.Object ? p.Clone() : throw Bad(SealedCredentialFields.Policy, "must be a JSON object");
            try
            {
                return new SealedCredential(metadata, tokenPublicKey, epk, nonce, ciphertext, tag) { Recovery = recovery, PolicyBlock = policy };
            }
            catch (ArgumentException e)
            {
                var field = e.ParamName switch
                {
                    "tokenPublicKey" => SealedCredentialFields.TokenPublicKey,
                    "ephemeralPublicKey" => SealedCredentialFields.EphemeralPublicKey,
                    "ciphertext" => SealedCredentialFields.Ciphertext,
                    _ => e.ParamName ?? "?",
                };
                throw new FormatException($"Sealed credential field '{field}' is invalid: {StripParam(e)}", e);
            }
        }
    }

    private static RecoveryRecipient ReadRecovery(JsonElement element)
    {
        const string where = SealedCredentialFields.Recovery;
        if (element.ValueKind != JsonValueKind.Object) throw Bad(where, "must be a JSON object");
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (!SealedCredentialFields.RecoveryAll.Contains(property.Name))
                throw new FormatException($"Sealed credential has an unknown field '{where}.{property.Name}'.");
            if (!fields.TryAdd(property.Name, property.Value))
                throw new FormatException($"Sealed credential has the field '{where}.{property.Name}' twice.");
        }
        try
        {
            return new RecoveryRecipient(
                Base64(fields, SealedCredentialFields.RecoveryPublicKey, P256Point.Length, where),
                Base64(fields, SealedCredentialFields.EphemeralPublicKey, P256Point.Length, where),
                Base64(fields, SealedCredentialFields.Nonce, SealedCredential.NonceLength, where),
                Base64(fields, SealedCredentialFields.Ciphertext, null, where),
                Base64(fields, SealedCredentialFields.Tag, SealedCredential.TagLength, where));
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"Sealed credential field '{where}' is invalid: {StripParam(e)}", e);
        }
    }

    private static Dictionary<string, JsonElement> CollectFields(JsonElement root)
    {
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (!SealedCredentialFields.All.Contains(property.Name))
                throw new FormatException($"Sealed credential has an unknown field '{property.Name}'.");
            if (!fields.TryAdd(property.Name, property.Value))
                throw new FormatException($"Sealed credential has the field '{property.Name}' twice.");
        }
        return fields;
    }

    private static CredentialMetadata ReadMetadata(Dictionary<string, JsonElement> fields, int version)
    {
        // Version 1 has no pocket (main); version 2 names a pocket other than main; version 3 (signed or with a
        // recovery copy) names one only when it is not main. Exactly one layout per pocket, because the associated
        // data is rebuilt from the metadata and must match what was sealed.
        var pocket = Pockets.Main;
        if (version == CredentialMetadata.OtherPocketVersion
            || (version == SealedCredential.SignedVersion && fields.ContainsKey(SealedCredentialFields.Pocket)))
        {
            pocket = Require(fields, SealedCredentialFields.Pocket, JsonValueKind.String).GetString()!;
            if (pocket == Pockets.Main)
                throw Bad(SealedCredentialFields.Pocket, $"is \"{Pockets.Main}\" in a version {version} envelope; the main pocket is written without a pocket");
        }
        else if (fields.ContainsKey(SealedCredentialFields.Pocket))
        {
            throw Bad(SealedCredentialFields.Pocket, "is not part of a version 1 envelope (main pocket); only versions 2 and 3 name a pocket");
        }
        var name = Require(fields, SealedCredentialFields.Name, JsonValueKind.String).GetString()!;
        var accessKey = Require(fields, SealedCredentialFields.AccessKey, JsonValueKind.String).GetString()!;
        var approvalText = Require(fields, SealedCredentialFields.Approval, JsonValueKind.String).GetString();
        if (!ApprovalModes.TryParse(approvalText, out var approval))
            throw Bad(SealedCredentialFields.Approval, "must be \"none\", \"button\" or \"touch\"");
        var scopesElement = Require(fields, SealedCredentialFields.Scopes, JsonValueKind.Array);
        var scopes = new List<string>();
        foreach (var scope in scopesElement.EnumerateArray())
            scopes.Add(scope.ValueKind == JsonValueKind.String ? scope.GetString()! : throw Bad(SealedCredentialFields.Scopes, "must hold only strings"));
        var created = Time(fields, SealedCredentialFields.Created);
        var expires = Time(fields, SealedCredentialFields.Expires);
        try
        {
            return new CredentialMetadata(name, accessKey, approval, scopes, created, expires, pocket);
        }
        catch (ArgumentException e)
        {
            var field = e.ParamName switch
            {
                "accessKey" => SealedCredentialFields.AccessKey,
                "pocket" => SealedCredentialFields.Pocket,
                _ => e.ParamName ?? "?",
            };
            throw new FormatException($"Sealed credential field '{field}' is invalid: {StripParam(e)}", e);
        }
    }

    private static DateTimeOffset Time(Dictionary<string, JsonElement> fields, string field)
    {
        var text = Require(fields, field, JsonValueKind.String).GetString();
        return DateTimeOffset.TryParseExact(text, CredentialMetadata.TimeFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : throw Bad(field, "must be a UTC time like 2026-01-02T03:04:05Z");
    }

    private static byte[] Base64(Dictionary<string, JsonElement> fields, string field, int? length, string? parent = null)
    {
        var name = parent is null ? field : $"{parent}.{field}";
        if (!fields.TryGetValue(field, out var element))
            throw new FormatException($"Sealed credential is missing the field '{name}'.");
        if (element.ValueKind != JsonValueKind.String)
            throw Bad(name, "must be a JSON string");
        if (!element.TryGetBytesFromBase64(out var bytes))
            throw Bad(name, "must be base64");
        if (length is { } expected && bytes.Length != expected)
            throw Bad(name, $"must decode to {expected} bytes; got {bytes.Length}");
        return bytes;
    }

    private static JsonElement Require(Dictionary<string, JsonElement> fields, string field, JsonValueKind kind)
    {
        if (!fields.TryGetValue(field, out var element))
            throw new FormatException($"Sealed credential is missing the field '{field}'.");
        if (element.ValueKind != kind)
            throw Bad(field, $"must be a JSON {kind.ToString().ToLowerInvariant()}");
        return element;
    }

    private static FormatException Bad(string field, string problem) => new($"Sealed credential field '{field}' {problem}.");

    // ArgumentException.Message appends " (Parameter 'x')"; the field name is already in our message.
    private static string StripParam(ArgumentException e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        return cut >= 0 ? message[..cut] : message;
    }
}
