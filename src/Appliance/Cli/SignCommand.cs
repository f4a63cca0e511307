extern alias bot;

using System.CommandLine;
using System.Net.Http.Headers;
using System.Text;
using bot::Appliance.Client;

namespace Appliance.Cli;

/// <summary>
/// <c>appliance sign --bundle DIR METHOD PATH [key=value …]</c>: a bot's view, for trying things
/// by hand. Prints the header and the exact request to send; --send also sends it.
/// </summary>
internal static class SignCommand
{
    public const string DefaultUpbit = "https://api.upbit.com";

    public static Command Build(CliIo io)
    {
        var bundle = new Option<string>("--bundle") { Description = "Bot bundle directory written by 'bots add'", Required = true };
        var credential = new Option<string>("--credential") { Description = "Credential to sign with (default: the bot's)", DefaultValueFactory = _ => "" };
        var upbit = new Option<string>("--upbit") { Description = $"Exchange base URL for the printed request (default {DefaultUpbit})", DefaultValueFactory = _ => DefaultUpbit };
        var send = new Option<bool>("--send") { Description = "Send the signed request to --upbit and print the answer" };
        var method = new Argument<string>("method") { Description = "GET, POST or DELETE" };
        var path = new Argument<string>("path") { Description = "e.g. /v1/accounts" };
        var parameters = new Argument<string[]>("params") { Description = "key=value pairs in order; repeat key[] for arrays", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("sign", "Ask the appliance to sign one Upbit request, as a bot would")
        {
            bundle, credential, upbit, send, method, path, parameters,
        };
        CommandAction.Set(command, io, async (parse, cancellationToken) =>
        {
            var pairs = (parse.GetValue(parameters) ?? []).Select(ParsePair).ToList();
            using var client = ApplianceClient.FromBundle(parse.GetValue(bundle)!);
            var verb = parse.GetValue(method)!.ToUpperInvariant();
            // Connect first (TLS handshake, HTTP/2): on a busy machine a cold process takes seconds to
            // get there, which would otherwise count against the 5 s clock skew of the signed request.
            await client.GetStatusAsync(cancellationToken);
            var signed = await client.SignAsync(verb, parse.GetValue(path)!, pairs, parse.GetValue(credential)!, cancellationToken);
            var url = parse.GetValue(upbit)!.TrimEnd('/') + parse.GetValue(path) + (signed.UrlQuery.Length > 0 ? "?" + signed.UrlQuery : "");
            io.Out.WriteLine($"authorization: {signed.Authorization}");
            io.Out.WriteLine($"request: {verb} {url}");
            if (signed.BodyJson.Length > 0) io.Out.WriteLine($"body: {signed.BodyJson}");
            io.Out.WriteLine($"query_string: {signed.QueryString}");
            io.Out.WriteLine($"audit_id: {signed.AuditId}");
            io.Out.WriteLine($"approval: {signed.Approval}");
            if (!parse.GetValue(send)) return 0;

            using var http = new HttpClient();
            using var request = new HttpRequestMessage(new HttpMethod(verb), url);
            request.Headers.Authorization = AuthenticationHeaderValue.Parse(signed.Authorization);
            if (signed.BodyJson.Length > 0) request.Content = new StringContent(signed.BodyJson, Encoding.UTF8, "application/json");
            using var response = await http.SendAsync(request, cancellationToken);
            io.Out.WriteLine($"response: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
            return response.IsSuccessStatusCode ? 0 : 1;
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
