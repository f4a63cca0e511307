using System.CommandLine;
using System.Text;
using Appliance.Config;
using Appliance.StandIn;

namespace Appliance.Cli;

/// <summary>
/// <c>appliance stand-in --listen HOST:PORT --access-key AK</c> (secret on stdin): only the stand-in
/// exchange (NOT Upbit), for trying a real <c>serve</c> offline with <c>--upbit-url http://HOST:PORT
/// --insecure-test-upstream</c>, for the image check and for benchmarks. It binds loopback only.
/// </summary>
internal static class StandInCommand
{
    public static Command Build(CliIo io)
    {
        var listen = new Option<string>("--listen") { Description = "HOST:PORT on loopback (default 127.0.0.1:0: a free port)", DefaultValueFactory = _ => "127.0.0.1:0" };
        var accessKey = new Option<string[]>("--access-key") { Description = "An access key it accepts; its secret is one line on stdin (repeat: one line each, in order)", Required = true };
        var command = new Command("stand-in", "Run only the stand-in exchange (NOT Upbit) that the demo uses, until Ctrl+C") { listen, accessKey };
        CommandAction.Set(command, io, async (parse, cancellationToken) =>
        {
            var options = new StandInOptions { Log = line => io.Out.WriteLine(line) };
            await using var exchange = await StandInExchange.StartAsync(ListenAddress.Parse(parse.GetValue(listen)!), options, cancellationToken);
            foreach (var key in parse.GetValue(accessKey)!)
            {
                using var secret = SecretInput.ReadLine(io, $"Secret for {key}: ");
                exchange.AddKey(key, Encoding.UTF8.GetString(secret.Span));
            }
            io.Out.WriteLine($"stand-in exchange listening on {exchange.BaseAddress} -- {StandInExchange.Banner}");
            try { await Task.Delay(Timeout.Infinite, cancellationToken); }
            catch (OperationCanceledException) { }
            return 0;
        });
        return command;
    }
}
