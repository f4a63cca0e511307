using Appliance.StandIn;

namespace Appliance.Tests.FakeUpbit;

/// <summary>
/// Thin shim over <see cref="StandInExchange"/> (src/Appliance.StandIn) so the end-to-end tests keep
/// their names: same StartAsync, AddKey, BaseAddress, Accepted and Rejected. The stand-in now answers
/// in Upbit's shapes from a stateful exchange instead of echoing, and an accepted token can still get a
/// business error (AcceptedRequest.StatusCode / ErrorName). Reach the full API through <see cref="Exchange"/>.
/// </summary>
public sealed class FakeUpbitServer : IAsyncDisposable
{
    private FakeUpbitServer(StandInExchange exchange) => Exchange = exchange;

    public StandInExchange Exchange { get; }

    /// <summary>http://127.0.0.1:PORT - request paths start with /v1/.</summary>
    public Uri BaseAddress => Exchange.BaseAddress;

    public IReadOnlyList<AcceptedRequest> Accepted => Exchange.Accepted;

    public IReadOnlyList<RejectedRequest> Rejected => Exchange.Rejected;

    public static async Task<FakeUpbitServer> StartAsync(CancellationToken ct = default, StandInOptions? options = null) =>
        new(await StandInExchange.StartAsync(options: options ?? Quiet(), ct: ct));

    /// <summary>Options that keep the stand-in's log out of the test output.</summary>
    public static StandInOptions Quiet(params StandInWithdrawAddress[] moreWithdrawAddresses) => new()
    {
        Log = _ => { },
        // Tests send faster than Upbit's 30/s; the appliance's own rate guard is tested on its own.
        RemainingReqScale = 1000,
        WithdrawAddresses = [.. new StandInOptions().WithdrawAddresses, .. moreWithdrawAddresses],
    };

    /// <summary>Registers (or replaces) an API key; the secret is HMAC'd as raw UTF-8 bytes.</summary>
    public void AddKey(string accessKey, string secret) => Exchange.AddKey(accessKey, secret);

    public ValueTask DisposeAsync() => Exchange.DisposeAsync();
}
