using System.Globalization;
using System.Text.Json;
using Appliance.Token;
using Appliance.Upbit;

namespace Appliance.Sealing;

/// <summary>
/// What is known about a sealed Upbit credential besides its secret. Not secret itself: it is stored
/// in clear in the envelope and bound to the ciphertext as AES-GCM associated data, so it cannot be
/// edited or swapped between envelopes. Instances are always valid and normalised: scopes are
/// lower-case, distinct and sorted; times are UTC with whole seconds.
/// </summary>
public sealed record CredentialMetadata
{
    /// <summary>Envelope and associated-data layout of a credential in the main pocket: unchanged since before pockets.</summary>
    public const int MainPocketVersion = 1;

    /// <summary>Layout of a credential in any other pocket: version 1 plus the pocket, so the pocket is authenticated too.</summary>
    public const int OtherPocketVersion = 2;
    public const string TimeFormat = "yyyy-MM-ddTHH:mm:ssZ";

    /// <summary>Upbit's permission groups (DESIGN.md "Operator CLI").</summary>
    public static readonly IReadOnlyList<string> KnownScopes =
        ["asset-transfer", "deposit", "pocket-manage", "trade", "trade-test", "view-assets", "view-deposits", "view-orders", "view-withdrawals", "withdraw"];

    private const int MaxAccessKeyLength = 128;

    public CredentialMetadata(string name, string accessKey, ApprovalMode approval, IEnumerable<string> scopes,
        DateTimeOffset created, DateTimeOffset expires, string pocket = Pockets.Main)
    {
        CredentialName.Validate(name, nameof(name));
        Pockets.Validate(pocket, nameof(pocket));
        ValidateAccessKey(accessKey);
        if (!Enum.IsDefined(approval))
            throw new ArgumentOutOfRangeException(nameof(approval), approval, "Approval must be none, button or touch.");
        ArgumentNullException.ThrowIfNull(scopes);
        Name = name;
        AccessKey = accessKey;
        Approval = approval;
        Scopes = Array.AsReadOnly(NormaliseScopes(scopes));
        Created = WholeSecondsUtc(created);
        Expires = WholeSecondsUtc(expires);
        Pocket = pocket;
        if (Expires <= Created)
            throw new ArgumentException($"The credential must expire after it was created ({Created.ToString(TimeFormat, CultureInfo.InvariantCulture)}).", nameof(expires));
    }

    public string Name { get; }

    /// <summary>The Upbit access key (public half, goes into every JWT payload).</summary>
    public string AccessKey { get; }

    public ApprovalMode Approval { get; }

    public IReadOnlyList<string> Scopes { get; }

    public DateTimeOffset Created { get; }

    public DateTimeOffset Expires { get; }

    /// <summary>The Upbit pocket the access key belongs to: Upbit counts rate limits (and 418 blocks) per pocket.</summary>
    public string Pocket { get; }

    /// <summary>1 for the main pocket (byte-for-byte the layout sealed before pockets existed), 2 otherwise.</summary>
    public int Version => Pocket == Pockets.Main ? MainPocketVersion : OtherPocketVersion;

    /// <summary>Touch-approved credentials are sealed to the touch-always key; the rest to the plain seal key.</summary>
    public KeySlot Slot => Approval == ApprovalMode.Touch ? KeySlot.SealTouch : KeySlot.Seal;

    public bool IsExpiredAt(DateTimeOffset now) => now >= Expires;

    /// <summary>
    /// The canonical associated data: compact UTF-8 JSON, fields in exactly this order, no whitespace,
    /// default System.Text.Json escaping (all values are restricted ASCII, so nothing is escaped):
    /// <c>{"v":1,"name":N,"access_key":A,"approval":"none|button|touch","scopes":[sorted…],
    /// "created":"yyyy-MM-ddTHH:mm:ssZ","expires":"yyyy-MM-ddTHH:mm:ssZ","slot":"seal|seal-touch"}</c>
    /// for the main pocket, and with <c>"v":2</c> and <c>,"pocket":P</c> after the slot for any other pocket.
    /// Changing a layout breaks every existing envelope: add a version instead.
    /// </summary>
    public byte[] ToAssociatedData()
    {
        using var stream = new MemoryStream(256);
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false }))
        {
            json.WriteStartObject();
            json.WriteNumber("v", Version);
            json.WriteString("name", Name);
            json.WriteString("access_key", AccessKey);
            json.WriteString("approval", Approval.ToWire());
            json.WriteStartArray("scopes");
            foreach (var scope in Scopes) json.WriteStringValue(scope);
            json.WriteEndArray();
            json.WriteString("created", FormatTime(Created));
            json.WriteString("expires", FormatTime(Expires));
            json.WriteString("slot", SealSlots.ToWire(Slot));
            if (Version == OtherPocketVersion) json.WriteString("pocket", Pocket);
            json.WriteEndObject();
        }
        return stream.ToArray();
    }

    public static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    public bool Equals(CredentialMetadata? other) =>
        other is not null
        && Name == other.Name
        && AccessKey == other.AccessKey
        && Approval == other.Approval
        && Scopes.SequenceEqual(other.Scopes, StringComparer.Ordinal)
        && Created == other.Created
        && Expires == other.Expires
        && Pocket == other.Pocket;

    public override int GetHashCode() => HashCode.Combine(Name, AccessKey, Approval, Scopes.Count, Created, Expires, Pocket);

    // The access key is public (it identifies the key at Upbit), so it may appear here; secrets never do.
    public override string ToString() =>
        $"{Name} (access key {AccessKey}, approval {Approval.ToWire()}, scopes [{string.Join(',', Scopes)}], pocket {Pocket}, expires {FormatTime(Expires)})";

    private static void ValidateAccessKey(string accessKey)
    {
        ArgumentNullException.ThrowIfNull(accessKey);
        if (accessKey.Length is 0 or > MaxAccessKeyLength || !accessKey.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw new ArgumentException(
                $"The access key must be 1-{MaxAccessKeyLength} characters of A-Z, a-z, 0-9, '-', '_' or '.'; copy it exactly from Upbit's Open API page.",
                nameof(accessKey));
    }

    private static string[] NormaliseScopes(IEnumerable<string> scopes)
    {
        var normalised = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var raw in scopes)
        {
            var scope = (raw ?? throw new ArgumentException("A scope is null.", nameof(scopes))).Trim().ToLowerInvariant();
            if (!KnownScopes.Contains(scope))
                throw new ArgumentException($"Unknown scope '{raw}'; scopes are {string.Join(", ", KnownScopes)}.", nameof(scopes));
            normalised.Add(scope);
        }
        return [.. normalised];
    }

    private static DateTimeOffset WholeSecondsUtc(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - utc.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
    }
}
