using System.Security.Cryptography;
using System.Text;
using Appliance.Audit;
using Appliance.Client;
using Appliance.Common;
using Appliance.Tests.EndToEnd;
using Appliance.Tests.Support;
using Appliance.Token;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Appliance.Tests.Audit;

/// <summary>The server's own audit log over the real transport: what reaches disk, and fail closed.</summary>
public sealed class AuditEndToEndTests : IAsyncLifetime
{
    private readonly FaultyAuditDisk _disk = new();
    private TestAppliance _appliance = null!;
    private ApplianceClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _appliance = await TestAppliance.StartAsync(s => s with { AuditOptions = new FileAuditLogOptions { Disk = _disk } });
        _client = _appliance.Client();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _appliance.DisposeAsync();
    }

    private FileAuditLog Log => _appliance.Server.AuditLog!;

    private AuditVerification Verify() =>
        AuditVerifier.Verify(_appliance.Data.AuditDir, global::Appliance.Config.TokenDescriptor.Load(_appliance.Data.TokenFile).PublicKey(KeySlot.Audit));

    [Fact]
    public async Task Every_token_that_leaves_has_its_record_on_disk_first()
    {
        var signed = await _client.SendAsync("GET", "/v1/orders/chance", [new("market", "KRW-BTC")]);
        await Assert.ThrowsAsync<RpcException>(() => _client.SendAsync("GET", "/v1/orders/chance", [new("market", "KRW BTC")]));

        var records = AuditReader.ReadAll(_appliance.Data.AuditDir).ToList();
        var mine = Assert.Single(records, r => r.Entry.AuditId == signed.AuditId && r.Entry.Kind == AuditKind.Decision);
        Assert.Equal("sent", mine.Entry.Decision);
        Assert.Equal("demo-bot", mine.Entry.Bot);
        Assert.Equal("127.0.0.1", mine.Entry.Peer);
        Assert.Equal(64, mine.Entry.TokenSha256!.Length);
        // The record names the token that reached the exchange (its nonce), and the outcome record follows it.
        Assert.Equal(Assert.Single(_appliance.Exchange.Accepted).Nonce, mine.Entry.Nonce);
        await Eventually.HoldsAsync(() => AuditReader.ReadAll(_appliance.Data.AuditDir).Any(r => r.Entry.Kind == AuditKind.Outcome && r.Entry.AuditId == signed.AuditId && r.Entry.HttpStatus == 200),
            "the outcome record");
        records = AuditReader.ReadAll(_appliance.Data.AuditDir).ToList();
        Assert.DoesNotContain(TestAppliance.Secret, File.ReadAllText(AuditSegments.PathOf(_appliance.Data.AuditDir, 1)));
        var denied = records.Last(r => r.Entry.Kind == AuditKind.Decision);
        Assert.Equal("denied", denied.Entry.Decision);
        Assert.Equal(Reasons.BadParamValue, denied.Entry.Reason);
        Assert.True(Verify().Ok);
    }

    [Fact]
    public async Task When_audit_cannot_write_no_token_is_issued_and_signing_resumes_after()
    {
        await _client.SendAsync("GET", "/v1/accounts", []);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await Health());

        _disk.Fault = DiskFault.FullBeforeWrite;
        var e = await RpcRefusals.AssertRefused(StatusCode.Unavailable, Reasons.AuditUnavailable, () => _client.SendAsync("GET", "/v1/accounts", []));
        Assert.Contains("audit log cannot be written", e.Status.Detail);
        Assert.False(Log.IsAvailable);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, await Health());

        _disk.Fault = DiskFault.None;
        var signed = await _client.SendAsync("GET", "/v1/accounts", []);
        Assert.Equal(200, signed.HttpStatus);
        Assert.True(Log.IsAvailable);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await Health());

        var result = Verify();
        Assert.True(result.Ok, result.Problem?.ToString());
        var decisions = AuditReader.ReadAll(_appliance.Data.AuditDir).Where(r => r.Entry.Kind == AuditKind.Decision).ToList();
        Assert.Equal(2, decisions.Count(d => d.Entry.Decision == "sent"));
        Assert.Equal(1, _appliance.Exchange.Accepted.Count(a => a.Path == "/v1/accounts") - 1); // the refused one never left
    }

    private async Task<HealthCheckResponse.Types.ServingStatus> Health()
    {
        using var bundle = ApplianceBundle.Load(_appliance.BundleDir);
        using var channel = GrpcChannel.ForAddress(_appliance.Address, new GrpcChannelOptions { HttpHandler = ApplianceTls.CreateHandler(bundle) });
        return (await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest())).Status;
    }

    internal static string TokenHash(string authorization) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(authorization["Bearer ".Length..])));
}
