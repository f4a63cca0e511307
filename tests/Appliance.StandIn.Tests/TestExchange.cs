namespace Appliance.StandIn.Tests;

/// <summary>Starts a quiet stand-in (its log goes nowhere) with one key registered for <see cref="StandInClient.CallAsync"/>.</summary>
public static class TestExchange
{
    public const string AccessKey = "stand-in-test-access";
    public const string Secret = "stand-in-test-secret";

    public static async Task<StandInExchange> StartAsync(TimeProvider? time = null, IReadOnlyDictionary<string, decimal>? balances = null)
    {
        var options = new StandInOptions
        {
            Log = _ => { },
            TimeProvider = time ?? TimeProvider.System,
            Balances = balances ?? new StandInOptions().Balances,
        };
        var exchange = await StandInExchange.StartAsync(options: options);
        exchange.AddKey(AccessKey, Secret);
        return exchange;
    }
}
