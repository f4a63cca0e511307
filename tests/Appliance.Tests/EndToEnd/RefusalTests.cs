using Appliance.Client;
using Appliance.Common;
using Appliance.Provisioning;
using Appliance.Tests.Support;
using Appliance.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Appliance.Tests.EndToEnd;

/// <summary>Every refusal of the pipeline, over the real transport: status code, reason code, a sentence.</summary>
public sealed class RefusalTests : IAsyncLifetime
{
    private TestAppliance _appliance = null!;
    private ApplianceClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _appliance = await TestAppliance.StartAsync();
        _client = _appliance.Client();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _appliance.DisposeAsync();
    }

    private Task Sign(string method, string path, params string[] pairs) =>
        _client.SignAsync(method, path, pairs.Select(p => p.Split('=', 2)).Select(p => new KeyValuePair<string, string>(p[0], p[1])));

    private static SignRequest Raw(string requestId, DateTimeOffset? time) => new()
    {
        Method = "GET",
        Path = "/v1/accounts",
        RequestId = requestId,
        ClientTime = time is null ? null : Timestamp.FromDateTimeOffset(time.Value),
    };

    [Theory]
    [InlineData("GET", "/v1/nope", Reasons.UnknownEndpoint)]
    [InlineData("PUT", "/v1/orders", Reasons.UnknownEndpoint)]
    [InlineData("GET", "/v1/accounts?x=1", Reasons.UnknownEndpoint)]
    public Task Unknown_endpoint_is_invalid(string method, string path, string reason) =>
        RpcRefusals.AssertRefused(StatusCode.InvalidArgument, reason, () => Sign(method, path));

    [Fact]
    public Task Unknown_param_is_invalid() =>
        RpcRefusals.AssertRefused(StatusCode.InvalidArgument, Reasons.UnknownParam, () => Sign("GET", "/v1/orders/chance", "market=KRW-BTC", "evil=1"));

    [Theory]
    [InlineData("market=KRW-BTC&market=KRW-ETH")]
    [InlineData("market=KRW-BTC%26market%3DKRW-ETH")]
    [InlineData("market=KRW BTC")]
    [InlineData("market=KRW-BTC\nx")]
    public Task Smuggled_parameters_are_refused(string pair) =>
        RpcRefusals.AssertRefused(StatusCode.InvalidArgument, Reasons.BadParamValue, () => Sign("GET", "/v1/orders/chance", pair));

    [Fact]
    public async Task Client_clock_off_by_more_than_the_skew_is_invalid()
    {
        await RpcRefusals.AssertRefused(StatusCode.InvalidArgument, Reasons.ClockSkew,
            () => _client.Signer.SignAsync(Raw(Guid.NewGuid().ToString(), DateTimeOffset.UtcNow.AddSeconds(-30))).ResponseAsync);
        await RpcRefusals.AssertRefused(StatusCode.InvalidArgument, Reasons.ClockSkew,
            () => _client.Signer.SignAsync(Raw(Guid.NewGuid().ToString(), DateTimeOffset.UtcNow.AddSeconds(30))).ResponseAsync);
    }

    [Fact]
    public Task Missing_client_time_is_invalid() =>
        RpcRefusals.AssertRefused(StatusCode.InvalidArgument, Reasons.MissingClientTime,
            () => _client.Signer.SignAsync(Raw(Guid.NewGuid().ToString(), null)).ResponseAsync);

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    public Task Bad_request_id_is_invalid(string id) =>
        RpcRefusals.AssertRefused(StatusCode.InvalidArgument, Reasons.BadRequestId,
            () => _client.Signer.SignAsync(Raw(id, DateTimeOffset.UtcNow)).ResponseAsync);

    [Fact]
    public async Task Replayed_request_id_already_exists()
    {
        var id = Guid.NewGuid().ToString();
        var first = await _client.Signer.SignAsync(Raw(id, DateTimeOffset.UtcNow));
        Assert.StartsWith("Bearer ", first.Authorization);
        await RpcRefusals.AssertRefused(StatusCode.AlreadyExists, Reasons.ReplayedRequest,
            () => _client.Signer.SignAsync(Raw(id, DateTimeOffset.UtcNow)).ResponseAsync);
    }

    [Fact]
    public Task Endpoint_outside_the_bots_scopes_is_denied() =>
        RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.ScopeDenied,
            () => Sign("POST", "/v1/withdraws/coin", "currency=BTC", "net_type=BTC", "amount=0.01", "address=bc1qexampleaddress0000000000000000000000"));

    [Fact]
    public Task Credential_not_given_to_the_bot_is_denied() =>
        RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.CredentialDenied,
            () => _client.SignAsync("GET", "/v1/accounts", [], credential: "someone-else"));

    [Fact]
    public async Task Market_outside_the_allowlist_is_denied()
    {
        using var limited = LimitedBot("btc-only", new BotRequest("btc-only", DemoSetup.CredentialName, ["trade", "view-orders"]) { Markets = ["KRW-BTC"] });
        await limited.SignAsync("GET", "/v1/orders/chance", [new("market", "KRW-BTC")]);
        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.MarketDenied,
            () => limited.SignAsync("GET", "/v1/orders/chance", [new("market", "KRW-ETH")]));
        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.MarketDenied,
            () => limited.SignAsync("DELETE", "/v1/orders/open", [new("cancel_side", "all")]));
    }

    [Fact]
    public async Task Order_above_the_notional_cap_is_denied()
    {
        using var capped = LimitedBot("capped", new BotRequest("capped", DemoSetup.CredentialName, ["trade"]) { MaxOrderNotional = 1_000_000m });
        KeyValuePair<string, string>[] Order(string volume) =>
            [new("market", "KRW-BTC"), new("side", "bid"), new("volume", volume), new("price", "100000000"), new("ord_type", "limit")];
        await capped.SignAsync("POST", "/v1/orders", Order("0.01"));
        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.OrderLimit, () => capped.SignAsync("POST", "/v1/orders", Order("0.02")));
        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.NotionalUnknown, () => capped.SignAsync("POST", "/v1/orders",
            [new("market", "KRW-BTC"), new("side", "ask"), new("volume", "1"), new("ord_type", "market")]));
    }

    [Fact]
    public async Task Peer_address_outside_the_allowlist_is_denied()
    {
        using var remote = LimitedBot("lan-only", new BotRequest("lan-only", DemoSetup.CredentialName, ["view-assets"]) { AllowIps = ["10.1.2.0/24"] });
        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.IpNotAllowed, () => remote.SignAsync("GET", "/v1/accounts", []));
    }

    [Fact]
    public async Task Revoked_bot_is_refused_within_a_second_without_restart()
    {
        await _client.SignAsync("GET", "/v1/accounts", []);
        new BotEnrollment(_appliance.Data, TimeProvider.System).Revoke(DemoSetup.BotName);
        var revokedAt = DateTime.UtcNow;
        RpcException? refusal = null;
        while (refusal is null && DateTime.UtcNow - revokedAt < TimeSpan.FromSeconds(1))
        {
            try { await _client.SignAsync("GET", "/v1/accounts", []); await Task.Delay(20); }
            catch (RpcException e) { refusal = e; }
        }
        Assert.NotNull(refusal);
        await RpcRefusals.AssertRefused(StatusCode.Unauthenticated, Reasons.BotRevoked, () => _client.SignAsync("GET", "/v1/accounts", []));
    }

    [Fact]
    public async Task Certificate_from_another_appliance_is_an_unknown_bot()
    {
        await using var other = await TestAppliance.StartAsync();
        // The other appliance's bot certificate, but trusting this appliance's server.
        using var dir = new TempDir();
        foreach (var file in Directory.GetFiles(other.BundleDir)) File.Copy(file, Path.Combine(dir.Path, Path.GetFileName(file)));
        File.Copy(Path.Combine(_appliance.BundleDir, "ca.pem"), Path.Combine(dir.Path, "ca.pem"), overwrite: true);
        using var stranger = _appliance.Client(dir.Path);
        await RpcRefusals.AssertRefused(StatusCode.Unauthenticated, Reasons.UnknownBot, () => stranger.SignAsync("GET", "/v1/accounts", []));
    }

    [Fact]
    public async Task Withdrawal_without_an_approval_panel_fails_closed()
    {
        await using var appliance = await TestAppliance.StartAsync(prepare: data =>
        {
            using var secret = SecretBytes.TakeFrom("withdraw-secret"u8.ToArray());
            new CredentialProvisioning(data, TimeProvider.System).Add("hot", "hot-access", Appliance.Sealing.ApprovalMode.Button, ["withdraw"], null, secret);
            // The destination is allowlisted, so only the missing panel stands in the way.
            new BotEnrollment(data, TimeProvider.System).Add(new BotRequest("withdrawer", "hot", ["withdraw"])
            {
                WithdrawAddresses = [Appliance.Policy.WithdrawalAddress.Parse("BTC:BTC:bc1qexampleaddress0000000000000000000000")],
            }, TestAppliance.BundleFor(data, "withdrawer"));
        });
        using var withdrawer = appliance.Client(TestAppliance.BundleFor(appliance.Data, "withdrawer"));
        await RpcRefusals.AssertRefused(StatusCode.FailedPrecondition, Reasons.ApprovalUnavailable, () => withdrawer.SignAsync("POST", "/v1/withdraws/coin",
            [new("currency", "BTC"), new("net_type", "BTC"), new("amount", "0.01"), new("address", "bc1qexampleaddress0000000000000000000000")]));
    }

    [Fact]
    public async Task A_second_cancel_all_within_two_seconds_is_rate_limited()
    {
        KeyValuePair<string, string>[] cancelAll = [new("cancel_side", "all"), new("pairs", "KRW-BTC")];
        await _client.SignAsync("DELETE", "/v1/orders/open", cancelAll);
        await RpcRefusals.AssertRefused(StatusCode.ResourceExhausted, Reasons.RateLimited, () => _client.SignAsync("DELETE", "/v1/orders/open", cancelAll));
        // Other groups keep their own budget.
        await _client.SignAsync("GET", "/v1/accounts", []);
    }

    private ApplianceClient LimitedBot(string name, BotRequest request)
    {
        var bundle = TestAppliance.BundleFor(_appliance.Data, name);
        new BotEnrollment(_appliance.Data, TimeProvider.System).Add(request, bundle);
        _appliance.Server.Bots.Reload();
        return _appliance.Client(bundle);
    }
}
