extern alias bot;

using System.CommandLine;
using bot::Appliance.Client;

namespace Appliance.Cli;

/// <summary>
/// <c>appliance sign --bundle DIR [--send] METHOD PATH [key=value …]</c>: a bot's view, for trying things
/// by hand. With --send the appliance sends the request to Upbit (gRPC Send) and the answer is printed;
/// without it the bot asks for a detached token (only bots added with --detached may).
/// </summary>
internal static class SignCommand
{
    public static Command Build(CliIo io)
    {
        var bundle = new Option<string>("--bundle") { Description = "Bot bundle directory written by 'bots add'", Required = true };
        var credential = new Option<string>("--credential") { Description = "Credential to use (default: the bot's)", DefaultValueFactory = _ => "" };
        var send = new Option<bool>("--send") { Description = "Have the appliance send the request to Upbit and print Upbit's answer" };
        var requestId = new Option<string?>("--request-id") { Description = "request_id (default: a fresh UUID); the same id is never sent twice" };
        var method = new Argument<string>("method") { Description = "GET, POST or DELETE" };
        var path = new Argument<string>("path") { Description = "e.g. /v1/accounts" };
        var parameters = new Argument<string[]>("params") { Description = "key=value pairs in order; repeat key[] for arrays", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("sign", "Send one Upbit request through the appliance (--send), or ask for a detached token, as a bot would")
        {
            bundle, credential, send, requestId, method, path, parameters,
        };
        CommandAction.Set(command, io, async (parse, cancellationToken) =>
        {
            var pairs = (parse.GetValue(parameters) ?? []).Select(ParsePair).ToList();
            using var client = ApplianceClient.FromBundle(parse.GetValue(bundle)!);
            var verb = parse.GetValue(method)!.ToUpperInvariant();
            if (parse.GetValue(send))
            {
                var answer = await client.SendAsync(verb, parse.GetValue(path)!, pairs, parse.GetValue(credential)!, parse.GetValue(requestId),
                    cancellationToken);
                io.Out.WriteLine($"upbit: {answer.HttpStatus}{(answer.Replayed ? " (stored answer: this request_id was sent before)" : "")}");
                foreach (var (name, value) in answer.Headers) io.Out.WriteLine($"{name}: {value}");
                io.Out.WriteLine($"audit_id: {answer.AuditId}");
                io.Out.WriteLine($"approval: {answer.Approval}");
                io.Out.WriteLine(answer.Body.ToStringUtf8());
                return answer.HttpStatus is >= 200 and < 300 ? 0 : 1;
            }
            // Connect first (TLS handshake, HTTP/2): on a busy machine a cold process takes seconds to
            // get there, which would otherwise count against the 5 s clock skew of the signed request.
            await client.GetStatusAsync(cancellationToken);
            var signed = await client.SignAsync(verb, parse.GetValue(path)!, pairs, parse.GetValue(credential)!, cancellationToken);
            io.Out.WriteLine($"authorization: {signed.Authorization}");
            io.Out.WriteLine($"request: {verb} {parse.GetValue(path)}{(signed.UrlQuery.Length > 0 ? "?" + signed.UrlQuery : "")}");
            if (signed.BodyJson.Length > 0) io.Out.WriteLine($"body: {signed.BodyJson}");
            io.Out.WriteLine($"query_string: {signed.QueryString}");
            io.Out.WriteLine($"audit_id: {signed.AuditId}");
            io.Out.WriteLine($"approval: {signed.Approval}");
            return 0;
        });
        return command;
    }

    private static KeyValuePair<string, string> ParsePair(string pair)
    {
        var at = pair.IndexOf('=');
        if (at <= 0) throw new ArgumentException($"'{pair}' is not key=value; write parameters like market=KRW-BTC.");
        return new(pair[..at], pair[(at + 1)..]);
    }
}
