using System.Text;
using Appliance.Common;
using Appliance.Upbit;

namespace Appliance.Fuzz;

/// <summary>
/// Param validation, canonicalization and the HTTPS front's parsing. The only correct refusal is a
/// <see cref="SignRefusal"/>. Once <see cref="RequestValidator"/> accepts a request, nothing may throw, and what goes
/// on the wire must read back, through the front's own parser, as exactly the params that were judged and hashed.
/// </summary>
public static class RequestTargets
{
    /// <summary>
    /// "METHOD PATH" on the first line, then one "key=value" per line (raw: no decoding, split at the first '=';
    /// a line without '=' is a key with an empty value): the params as gRPC hands them over.
    /// </summary>
    public static void Params(byte[] input)
    {
        var lines = Encoding.UTF8.GetString(input).Split('\n');
        var (method, path) = RequestLine(lines[0]);
        var parameters = new List<UpbitParam>();
        foreach (var line in lines.Skip(1))
        {
            if (line.Length == 0) continue;
            var at = line.IndexOf('=');
            parameters.Add(at < 0 ? new UpbitParam(line, "") : new UpbitParam(line[..at], line[(at + 1)..]));
        }
        Judge(method, path, parameters);
    }

    /// <summary>"METHOD /path?query": a request line as the front sees it; the query goes through ParseQuery.</summary>
    public static void Query(byte[] input)
    {
        var (method, target) = RequestLine(Encoding.UTF8.GetString(input));
        var at = target.IndexOf('?');
        var path = at < 0 ? target : target[..at];
        var query = at < 0 ? "" : target[(at + 1)..];
        List<UpbitParam> parameters;
        try { parameters = WireRequestParser.ParseQuery(query); }
        catch (SignRefusal) { return; }
        CheckParsed(parameters);
        Judge(method, path, parameters);
    }

    /// <summary>"METHOD PATH" on the first line, then the raw body bytes, which go through ParseJsonBody.</summary>
    public static void JsonBody(byte[] input)
    {
        var newline = Array.IndexOf(input, (byte)'\n');
        var (method, path) = RequestLine(Encoding.UTF8.GetString(input, 0, newline < 0 ? input.Length : newline));
        var body = newline < 0 ? [] : input.AsSpan(newline + 1);
        List<UpbitParam> parameters;
        try { parameters = WireRequestParser.ParseJsonBody(body); }
        catch (SignRefusal) { return; }
        CheckParsed(parameters);
        Judge(method, path, parameters);
    }

    private static (string Method, string Remainder) RequestLine(string line)
    {
        var space = line.IndexOf(' ');
        return space < 0 ? (line, "") : (line[..space], line[(space + 1)..]);
    }

    private static void CheckParsed(List<UpbitParam> parameters)
    {
        if (parameters.Count > WireRequestParser.MaxParams)
            throw new FuzzFinding($"the parser returned {parameters.Count} params, more than {WireRequestParser.MaxParams}");
        if (parameters.Any(p => p.Key is null || p.Value is null))
            throw new FuzzFinding("the parser returned a null key or value");
    }

    private static void Judge(string method, string path, List<UpbitParam> parameters)
    {
        Endpoint endpoint;
        try { endpoint = RequestValidator.Validate(method, path, parameters); }
        catch (SignRefusal) { return; }

        // Accepted: from here on any exception is a finding, and so is any difference between the three strings.
        var canonical = CanonicalRequest.Build(endpoint, parameters);
        var hashed = string.Join('&', parameters.Select(p => $"{p.Key}={p.Value}"));
        if (canonical.QueryString != hashed)
            throw new FuzzFinding($"query_hash input '{canonical.QueryString}' is not the params in order '{hashed}'");
        var sent = endpoint.BodyKind == BodyKind.Json
            ? WireRequestParser.ParseJsonBody(Encoding.UTF8.GetBytes(canonical.BodyJson))
            : WireRequestParser.ParseQuery(canonical.UrlQuery);
        if (!sent.SequenceEqual(parameters))
            throw new FuzzFinding($"the request sent ('{canonical.UrlQuery}{canonical.BodyJson}') reads back as other params than were signed");
        if (endpoint.BodyKind == BodyKind.Json ? canonical.UrlQuery.Length > 0 : canonical.BodyJson.Length > 0)
            throw new FuzzFinding($"{endpoint} would send both a query and a body");
    }
}
