using System.Text;
using Appliance.Config;
using Appliance.Sealing;
using Appliance.StandIn;
using Appliance.Token;

namespace Appliance.Provisioning;

/// <summary>
/// The demo's exchange: a stand-in (NOT Upbit) on 127.0.0.1 that checks every token the way Upbit does
/// and answers in Upbit's shapes. It learns the demo credentials' secrets by unsealing them with the
/// demo's software token, which protects nothing anyway; a production appliance never does this.
/// </summary>
public static class DemoExchange
{
    public static async Task<StandInExchange> StartAsync(DataDir data, IHardwareToken token, TextWriter log, CancellationToken cancellationToken)
    {
        if (!token.IsSoftware) throw new InvalidOperationException("The stand-in exchange learns secrets from the demo's software token only.");
        // Upbit allows withdrawals only to addresses registered on its site: register the demo's.
        var options = new StandInOptions
        {
            Log = line => log.WriteLine(line),
            WithdrawAddresses = [.. new StandInOptions().WithdrawAddresses, new("BTC", "BTC", DemoSetup.WithdrawAddress)],
        };
        var exchange = await StandInExchange.StartAsync(options: options, ct: cancellationToken);
        try
        {
            foreach (var name in new[] { DemoSetup.CredentialName, DemoSetup.WithdrawCredentialName })
            {
                var sealedCredential = new CredentialStore(data.Root).TryGet(name)
                    ?? throw new InvalidOperationException($"The demo credential '{name}' is missing; delete {data.Root} and run the demo again.");
                using var secret = CredentialSealer.Unseal(sealedCredential, token);
                exchange.AddKey(sealedCredential.Metadata.AccessKey, Encoding.UTF8.GetString(secret.Span));
            }
            return exchange;
        }
        catch
        {
            await exchange.DisposeAsync();
            throw;
        }
    }
}
