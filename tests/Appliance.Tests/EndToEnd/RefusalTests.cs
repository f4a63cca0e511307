using Appliance.Client;
using Appliance.Common;
using Appliance.Provisioning;
using Appliance.Tests.Support;
using Appliance.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Appliance.Tests.EndToEnd;

/// <summary>
/// Every refusal of the pipeline, over the real transport: status code, reason code, a sentence, and
/// nothing reaches the exchange.
/// </summary>
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

    private Task Send(string method, string path, params string[] pairs) =>
        _client.SendAsync(method, path, pairs.Select(p => p.Split('=', 2)).Select(p => new KeyValuePair<string, string>(p[0], p[1])));

    /// <summary>A bot that may take detached tokens: a view-only credential of its own, no caps, no markets.</summary>
    private async Task<ApplianceClient> DetachedBot()
    {
        using (var secret = SecretBytes.TakeFrom("viewer-secret"u8.ToArray()))
            new CredentialProvisioning(_appliance.Data, TimeProvider.System).Add("viewer", "viewer-access", Appliance.Sealing.ApprovalMode.None, ["view-assets"], null, secret);
        await Eventually.HoldsAsync(() => _appliance.Server.Vault.Names.Contains("viewer"), "the new credential is loaded");
        var bundle = await _appliance.AddBotAsync(new BotRequest("detached", "viewer", ["view-assets"]) { Detached = true });
        return _appliance.Client(bundle);
    }

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
        RpcRefusals.AssertRefused(StatusCode.InvalidArgument, reason, () => Send(method, path));

    [Fact]
    public Task Unknown_param_is_invalid() =>
        RpcRefusals.AssertRefused(StatusCode.InvalidArgument, Reasons.UnknownParam, () => Send("GET", "/v1/orders/chance", "market=KRW-BTC", "evil=1"));

    [Theory]
    [InlineData("market=KRW-BTC&market=KRW-ETH")]
    [InlineData("market=KRW-BTC%26market%3DKRW-ETH")]
    [InlineData("market=KRW BTC")]
    [InlineData("market=KRW-BTC\nx")]
    public async Task Smuggled_parameters_are_refused(string pair)
    {
        await RpcRefusals.AssertRefused(StatusCode.InvalidArgument, Reasons.BadParamValue, () => Send("GET", "/v1/orders/chance", pair));
        Assert.Empty(_appliance.Exchange.Accepted);
    }

    [Fact]
    public async Task Client_clock_off_by_more_than_the_skew_is_invalid()
    {
        await RpcRefusals.AssertRefused(StatusCode.InvalidArgument, Reasons.ClockSkew,
            () => _client.Signer.SendAsync(Raw(Guid.NewGuid().ToString(), DateTimeOffset.UtcNow.AddSeconds(-30))).ResponseAsync);
        await RpcRefusals.AssertRefused(StatusCode.InvalidArgument, Reasons.ClockSkew,
            () => _client.Signer.SendAsync(Raw(Guid.NewGuid().ToString(), DateTimeOffset.UtcNow.AddSeconds(30))).ResponseAsync);
        Assert.Empty(_appliance.Exchange.Accepted);
    }

    [Fact]
    public async Task Send_takes_request_id_and_client_time_as_optional()
    {
        Assert.Equal(200, (await _client.Signer.SendAsync(Raw("", null))).HttpStatus);
        Assert.Equal(200, (await _client.Signer.SendAsync(Raw(Guid.NewGuid().ToString(), null))).HttpStatus);
        Assert.Equal(2, _appliance.Exchange.Accepted.Count);
    }

    [Fact]
    public async Task Detached_sign_needs_client_time_and_a_fresh_request_id()
    {
        using var detached = await DetachedBot();
        await RpcRefusals.AssertRefused(StatusCode.InvalidArgument, Reasons.MissingClientTime,
            () => detached.Signer.SignAsync(Raw(Guid.NewGuid().ToString(), null)).ResponseAsync);
        await RpcRefusals.AssertRefused(StatusCode.InvalidArgument, Reasons.BadRequestId,
            () => detached.Signer.SignAsync(Raw("", DateTimeOffset.UtcNow)).ResponseAsync);
        var id = Guid.NewGuid().ToString();
        var first = await detached.Signer.SignAsync(Raw(id, DateTimeOffset.UtcNow));
        Assert.StartsWith("Bearer ", first.Authorization);
        await RpcRefusals.AssertRefused(StatusCode.AlreadyExists, Reasons.ReplayedRequest,
            () => detached.Signer.SignAsync(Raw(id, DateTimeOffset.UtcNow)).ResponseAsync);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("semi;colon")]
    public Task Bad_request_id_is_invalid(string id) =>
        RpcRefusals.AssertRefused(StatusCode.InvalidArgument, Reasons.BadRequestId,
            () => _client.Signer.SendAsync(Raw(id, DateTimeOffset.UtcNow)).ResponseAsync);

    [Fact]
    public Task Endpoint_outside_the_bots_scopes_is_denied() =>
        RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.ScopeDenied,
            () => Send("POST", "/v1/withdraws/coin", "currency=BTC", "net_type=BTC", "amount=0.01", "address=bc1qexampleaddress0000000000000000000000"));

    [Fact]
    public Task Credential_not_given_to_the_bot_is_denied() =>
        RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.CredentialDenied,
            () => _client.SendAsync("GET", "/v1/accounts", [], credential: "someone-else"));

    [Fact]
    public async Task Market_outside_the_allowlist_is_denied()
    {
        using var limited = LimitedBot("btc-only", new BotRequest("btc-only", DemoSetup.CredentialName, ["trade", "view-orders"]) { Markets = ["KRW-BTC"] });
        await limited.SendAsync("GET", "/v1/orders/chance", [new("market", "KRW-BTC")]);
        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.MarketDenied,
            () => limited.SendAsync("GET", "/v1/orders/chance", [new("market", "KRW-ETH")]));
        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.MarketDenied,
            () => limited.SendAsync("DELETE", "/v1/orders/open", [new("cancel_side", "all")]));
    }

    [Fact]
    public async Task Order_above_the_notional_cap_is_denied()
    {
        using var capped = LimitedBot("capped", new BotRequest("capped", DemoSetup.CredentialName, ["trade"]) { MaxOrderNotional = 1_000_000m });
        KeyValuePair<string, string>[] Order(string volume) =>
            [new("market", "KRW-BTC"), new("side", "bid"), new("volume", volume), new("price", "100000000"), new("ord_type", "limit")];
        await capped.SendAsync("POST", "/v1/orders", Order("0.01"));
        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.OrderLimit, () => capped.SendAsync("POST", "/v1/orders", Order("0.02")));
        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.NotionalUnknown, () => capped.SendAsync("POST", "/v1/orders",
            [new("market", "KRW-BTC"), new("side", "ask"), new("volume", "1"), new("ord_type", "market")]));
    }

    [Fact]
    public async Task Peer_address_outside_the_allowlist_is_denied()
    {
        using var remote = LimitedBot("lan-only", new BotRequest("lan-only", DemoSetup.CredentialName, ["view-assets"]) { AllowIps = ["10.1.2.0/24"] });
        await RpcRefusals.AssertRefused(StatusCode.PermissionDenied, Reasons.IpNotAllowed, () => remote.SendAsync("GET", "/v1/accounts", []));
    }

    [Fact]
    public async Task Revoked_bot_is_refused_within_a_second_without_restart()
    {
        await _client.SendAsync("GET", "/v1/accounts", []);
        new BotEnrollment(_appliance.Data, TimeProvider.System).Revoke(DemoSetup.BotName);
        var revokedAt = DateTime.UtcNow;
        RpcException? refusal = null;
        while (refusal is null && DateTime.UtcNow - revokedAt < TimeSpan.FromSeconds(1))
        {
            try { await _client.SendAsync("GET", "/v1/accounts", []); await Task.Delay(20); }
            catch (RpcException e) { refusal = e; }
        }
        Assert.NotNull(refusal);
        // The revocation also closed the bot's open connection: a new one is made, and refused per request.
        await RpcRefusals.AssertRefused(StatusCode.Unauthenticated, Reasons.BotRevoked, () => _client.SendAsync("GET", "/v1/accounts", []));
    }

    [Fact]
    public async Task Certificate_from_another_appliance_is_refused_in_the_handshake()
    {
        await using var other = await TestAppliance.StartAsync();
        // The other appliance's bot certificate, but trusting this appliance's server.
        using var dir = new TempDir();
        foreach (var file in Directory.GetFiles(other.BundleDir)) File.Copy(file, Path.Combine(dir.Path, Path.GetFileName(file)));
        File.Copy(Path.Combine(_appliance.BundleDir, "ca.pem"), Path.Combine(dir.Path, "ca.pem"), overwrite: true);
        using var stranger = _appliance.Client(dir.Path);
        var e = await Assert.ThrowsAsync<RpcException>(() => stranger.SendAsync("GET", "/v1/accounts", []));
        // No TLS session (the client sees the handshake fail, as Unavailable or Internal): no request, no record, no metric label.
        Assert.Contains(e.StatusCode, new[] { StatusCode.Unavailable, StatusCode.Internal });
        Assert.Null(e.GetRpcStatus());
        Assert.Empty(_appliance.Exchange.Accepted);
        Assert.DoesNotContain(Appliance.Audit.AuditReader.ReadAll(_appliance.Data.AuditDir), r => r.Entry.Kind == Appliance.Audit.AuditKind.Decision);
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
        await RpcRefusals.AssertRefused(StatusCode.FailedPrecondition, Reasons.ApprovalUnavailable, () => withdrawer.SendAsync("POST", "/v1/withdraws/coin",
            [new("currency", "BTC"), new("net_type", "BTC"), new("amount", "0.01"), new("address", "bc1qexampleaddress0000000000000000000000")]));
    }

    [Fact]
    public async Task A_second_cancel_all_within_two_seconds_is_rate_limited()
    {
        KeyValuePair<string, string>[] cancelAll = [new("cancel_side", "all"), new("pairs", "KRW-BTC")];
        using var sweeper = LimitedBot("sweeper", new BotRequest("sweeper", DemoSetup.CredentialName, ["trade"]) { AllOrders = true });
        await sweeper.SendAsync("DELETE", "/v1/orders/open", cancelAll);
        var e = await RpcRefusals.AssertRefused(StatusCode.ResourceExhausted, Reasons.RateLimited, () => sweeper.SendAsync("DELETE", "/v1/orders/open", cancelAll));
        Assert.Contains("retry in", e.Status.Detail);
        // Other groups keep their own budget.
        await _client.SendAsync("GET", "/v1/accounts", []);
        Assert.Equal(2, _appliance.Exchange.Accepted.Count);
    }

    private ApplianceClient LimitedBot(string name, BotRequest request)
    {
        var bundle = TestAppliance.BundleFor(_appliance.Data, name);
        new BotEnrollment(_appliance.Data, TimeProvider.System).Add(request, bundle);
        _appliance.Server.Bots.Reload();
        return _appliance.Client(bundle);
    }
}
