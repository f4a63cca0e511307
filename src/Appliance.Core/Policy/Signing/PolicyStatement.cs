using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Appliance.Policy;

/// <summary>One line of a statement: this record, at this version, has this content (SHA-256 of its canonical form).</summary>
public sealed record PolicyStatementEntry(PolicyRecordKey Key, long Version, string Sha256);

/// <summary>
/// What the token's policy key signs: a list of records with their versions and content hashes. One signature can
/// cover many records (<c>policy sign-all</c>: one touch on a touch-always YubiKey slot), and every record it covers
/// carries the same statement and signature, so each record verifies on its own.
/// <code>{"v":1,"purpose":"appliance/v1/policy","time":"2026-11-30T10:00:00Z","records":[{"kind":"bot","name":"grid","version":3,"sha256":"…"}]}</code>
/// The signature is ECDSA P-256 (r || s) over SHA-256("appliance/v1/policy\n" || the statement's UTF-8 bytes).
/// </summary>
public sealed class PolicyStatement
{
    public const int Version = 1;
    public const string Purpose = "appliance/v1/policy";
    private const string TimeFormat = "yyyy-MM-ddTHH:mm:ssZ";
    private const int MaxBytes = 1024 * 1024;

    public PolicyStatement(DateTimeOffset time, IEnumerable<PolicyStatementEntry> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var list = records.OrderBy(r => r.Key.KindWire, StringComparer.Ordinal).ThenBy(r => r.Key.Name, StringComparer.Ordinal).ToList();
        if (list.Count == 0) throw new ArgumentException("A statement names at least one record.", nameof(records));
        if (list.Select(r => r.Key).Distinct().Count() != list.Count)
            throw new ArgumentException("A statement names each record once.", nameof(records));
        foreach (var r in list)
        {
            if (r.Version < 1) throw new ArgumentException($"{r.Key}: versions start at 1.", nameof(records));
            if (r.Sha256.Length != 64 || !r.Sha256.All(char.IsAsciiHexDigitLower))
                throw new ArgumentException($"{r.Key}: the content hash must be 64 lower-case hex digits.", nameof(records));
        }
        Time = new DateTimeOffset(time.UtcTicks - time.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        Records = list;
    }

    public DateTimeOffset Time { get; }

    public IReadOnlyList<PolicyStatementEntry> Records { get; }

    public PolicyStatementEntry? Find(PolicyRecordKey key) => Records.FirstOrDefault(r => r.Key == key);

    /// <summary>The canonical bytes: compact JSON, records sorted by kind then name.</summary>
    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteNumber("v", Version);
            w.WriteString("purpose", Purpose);
            w.WriteString("time", Time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture));
            w.WriteStartArray("records");
            foreach (var r in Records)
            {
                w.WriteStartObject();
                w.WriteString("kind", r.Key.KindWire);
                w.WriteString("name", r.Key.Name);
                w.WriteNumber("version", r.Version);
                w.WriteString("sha256", r.Sha256);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return stream.ToArray();
    }

    /// <summary>What the policy key signs for these statement bytes.</summary>
    public static byte[] Digest(ReadOnlySpan<byte> statementBytes)
    {
        var prefix = Encoding.ASCII.GetBytes(Purpose + "\n");
        var data = new byte[prefix.Length + statementBytes.Length];
        prefix.CopyTo(data, 0);
        statementBytes.CopyTo(data.AsSpan(prefix.Length));
        return SHA256.HashData(data);
    }

    /// <summary>Parses statement bytes; they must be exactly the canonical form (so what was signed is what is read).</summary>
    public static PolicyStatement Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxBytes) throw new FormatException("The policy statement is too large.");
        PolicyStatement statement;
        try
        {
            using var doc = JsonDocument.Parse(bytes.ToArray());
            var root = doc.RootElement;
            if (root.GetProperty("v").GetInt32() != Version)
                throw new FormatException($"The policy statement is version {root.GetProperty("v")}; this appliance reads version {Version}.");
            if (root.GetProperty("purpose").GetString() != Purpose)
                throw new FormatException("The signed statement is not a policy statement.");
            var time = DateTimeOffset.ParseExact(root.GetProperty("time").GetString()!, TimeFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
            var records = new List<PolicyStatementEntry>();
            foreach (var r in root.GetProperty("records").EnumerateArray())
            {
                if (!PolicyRecordKey.TryParseKind(r.GetProperty("kind").GetString(), out var kind))
                    throw new FormatException("The policy statement names an unknown record kind.");
                records.Add(new PolicyStatementEntry(new PolicyRecordKey(kind, r.GetProperty("name").GetString()!),
                    r.GetProperty("version").GetInt64(), r.GetProperty("sha256").GetString()!));
            }
            statement = new PolicyStatement(time, records);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentException)
        {
            throw new FormatException($"The policy statement is malformed ({e.Message}).", e);
        }
        if (!bytes.SequenceEqual(statement.ToBytes()))
            throw new FormatException("The policy statement is not in canonical form.");
        return statement;
    }
}
