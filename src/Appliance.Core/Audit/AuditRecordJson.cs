using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Appliance.Upbit;
using Appliance.Sealing;

namespace Appliance.Audit;

/// <summary>
/// The canonical serialization of a record (docs/audit.md): one line of JSON, no whitespace, members
/// in a fixed order, absent members omitted, strings escaped by System.Text.Json's default encoder,
/// time as UTC "yyyy-MM-ddTHH:mm:ss.fffffffZ". The record's hash is SHA-256 over the UTF-8 bytes of
/// that object without its last member, i.e. the line minus <c>,"hash":"…"</c>; the line is the
/// object with <c>"hash"</c> appended, then "\n".
/// </summary>
public static class AuditRecordJson
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    /// <summary>Chains <paramref name="entry"/> after <paramref name="prev"/>: the record and its line (with "\n").</summary>
    public static (AuditRecord Record, byte[] Line) Seal(long seq, AuditEntry entry, string prev)
    {
        var body = Body(seq, entry, prev);
        var hash = Convert.ToHexStringLower(SHA256.HashData(body));
        return (new AuditRecord(seq, entry, prev, hash), Line(body, hash));
    }

    /// <summary>The bytes the hash covers: the canonical object without "hash".</summary>
    public static byte[] Body(long seq, AuditEntry e, string prev)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("seq", seq);
            w.WriteString("time", e.Time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture));
            w.WriteString("kind", e.Kind.ToWire());
            Optional(w, "audit_id", e.AuditId);
            Optional(w, "bot", e.Bot);
            Optional(w, "peer", e.Peer);
            Optional(w, "credential", e.Credential);
            Optional(w, "method", e.Method);
            Optional(w, "path", e.Path);
            if (e.Params is not null)
            {
                w.WriteStartArray("params");
                foreach (var p in e.Params)
                {
                    w.WriteStartArray();
                    w.WriteStringValue(p.Key);
                    w.WriteStringValue(p.Value);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
            }
            Optional(w, "decision", e.Decision);
            Optional(w, "reason", e.Reason);
            if (e.ApprovalMode is not null)
            {
                w.WriteStartObject("approval");
                w.WriteString("mode", e.ApprovalMode);
                w.WriteNumber("waited_ms", e.ApprovalWaitedMs ?? 0);
                if (e.ApprovalSteps is { } steps) w.WriteNumber("steps", steps);
                w.WriteEndObject();
            }
            Optional(w, "nonce", e.Nonce);
            Optional(w, "token_sha256", e.TokenSha256);
            Optional(w, "request_id", e.RequestId);
            if (e.HttpStatus is { } status) w.WriteNumber("http_status", status);
            Optional(w, "upbit_error", e.UpbitError);
            Optional(w, "uuid", e.Uuid);
            Optional(w, "identifier", e.Identifier);
            Optional(w, "detail", e.Detail);
            if (e.Checkpoint is { } c)
            {
                w.WriteStartObject("checkpoint");
                w.WriteNumber("seq", c.Seq);
                w.WriteString("hash", c.Hash);
                w.WriteString("key", c.Key);
                w.WriteString("sig", c.Signature);
                w.WriteEndObject();
            }
            w.WriteString("prev", prev);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] Line(byte[] body, string hash)
    {
        var tail = Encoding.ASCII.GetBytes($",\"hash\":\"{hash}\"}}\n");
        var line = new byte[body.Length - 1 + tail.Length];
        body.AsSpan(0, body.Length - 1).CopyTo(line);
        tail.CopyTo(line, body.Length - 1);
        return line;
    }

    /// <summary>
    /// Reads one line (without "\n"). Throws <see cref="FormatException"/> when it is not a record or not
    /// in canonical form; does not judge the hash (see <see cref="ComputeHash"/>).
    /// </summary>
    public static AuditRecord Parse(ReadOnlySpan<byte> line) => ParseAndHash(line).Record;

    /// <summary>
    /// <see cref="Parse"/>, and the hash the record's content should carry (what <see cref="ComputeHash"/>
    /// gives), from the one serialization Parse makes anyway: verifying a chain then costs one parse, one
    /// serialization and one SHA-256 per record.
    /// </summary>
    internal static (AuditRecord Record, string ComputedHash) ParseAndHash(ReadOnlySpan<byte> line)
    {
        AuditRecord record;
        try
        {
            using var doc = JsonDocument.Parse(line.ToArray());
            var r = doc.RootElement;
            if (r.ValueKind != JsonValueKind.Object) throw new FormatException("not a JSON object");
            var entry = new AuditEntry
            {
                Kind = AuditKinds.Parse(Str(r, "kind")!),
                Time = DateTimeOffset.ParseExact(Str(r, "time")!, TimeFormat, CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
                AuditId = Str(r, "audit_id", false),
                Bot = Str(r, "bot", false),
                Peer = Str(r, "peer", false),
                Credential = Str(r, "credential", false),
                Method = Str(r, "method", false),
                Path = Str(r, "path", false),
                Params = r.TryGetProperty("params", out var ps)
                    ? ps.EnumerateArray().Select(p => new UpbitParam(p[0].GetString()!, p[1].GetString()!)).ToList()
                    : null,
                Decision = Str(r, "decision", false),
                Reason = Str(r, "reason", false),
                ApprovalMode = r.TryGetProperty("approval", out var a) ? Str(a, "mode") : null,
                ApprovalWaitedMs = r.TryGetProperty("approval", out var a2) ? a2.GetProperty("waited_ms").GetInt64() : null,
                ApprovalSteps = r.TryGetProperty("approval", out var a3) && a3.TryGetProperty("steps", out var steps) ? steps.GetInt32() : null,
                Nonce = Str(r, "nonce", false),
                TokenSha256 = Str(r, "token_sha256", false),
                RequestId = Str(r, "request_id", false),
                HttpStatus = r.TryGetProperty("http_status", out var hs) ? hs.GetInt32() : null,
                UpbitError = Str(r, "upbit_error", false),
                Uuid = Str(r, "uuid", false),
                Identifier = Str(r, "identifier", false),
                Detail = Str(r, "detail", false),
                Checkpoint = r.TryGetProperty("checkpoint", out var c)
                    ? new AuditCheckpoint(c.GetProperty("seq").GetInt64(), Str(c, "hash")!, Str(c, "key")!, Str(c, "sig")!)
                    : null,
            };
            record = new AuditRecord(r.GetProperty("seq").GetInt64(), entry, Str(r, "prev")!, Str(r, "hash")!);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException
                                       or IndexOutOfRangeException or ArgumentException)
        {
            throw new FormatException(e.Message, e);
        }
        var body = Body(record.Seq, record.Entry, record.Prev);
        var computed = Convert.ToHexStringLower(SHA256.HashData(body));
        // Either a member was edited in a way that still parses (the hash check names that), or
        // the line was rewritten in another form; in both cases its bytes are not what was hashed.
        if (!line.SequenceEqual(Line(body, record.Hash).AsSpan(..^1)) && computed == record.Hash)
            throw new FormatException("the line is not in canonical form");
        return (record, computed);
    }

    /// <summary>The hash the record's content should carry.</summary>
    public static string ComputeHash(AuditRecord record) =>
        Convert.ToHexStringLower(SHA256.HashData(Body(record.Seq, record.Entry, record.Prev)));

    private static void Optional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null) w.WriteString(name, value);
    }

    private static string? Str(JsonElement e, string name, bool required = true)
    {
        if (e.TryGetProperty(name, out var v)) return v.GetString() ?? throw new FormatException($"\"{name}\" is null");
        return required ? throw new FormatException($"\"{name}\" is missing") : null;
    }
}
