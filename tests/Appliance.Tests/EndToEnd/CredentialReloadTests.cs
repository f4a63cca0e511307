using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Appliance.Common;
using Appliance.Provisioning;
using Appliance.Tests.FakeUpbit;
using Appliance.Tests.Support;
using Grpc.Core;

namespace Appliance.Tests.EndToEnd;

/// <summary>`credentials rotate|add|remove` in another process reach the running server without a restart.</summary>
public sealed class CredentialReloadTests
{
    [Fact]
    public async Task Rotated_secret_is_used_by_the_running_server_within_seconds()
    {
        await using var appliance = await TestAppliance.StartAsync();
        const string rotated = "rotated-secret-9876543210zyxwvutsrqponmlkji";
        appliance.Exchange.AddKey("rotated-access-key", rotated);
        using var client = appliance.Client();

        using (var secret = SecretBytes.TakeFrom(Encoding.UTF8.GetBytes(rotated)))
            new CredentialProvisioning(appliance.Data, TimeProvider.System).Rotate(DemoSetup.CredentialName, "rotated-access-key", null, secret);

        var deadline = DateTime.UtcNow.AddSeconds(5);
        string? accessKey;
        do
        {
            Assert.Equal(200, (await client.SendAsync("GET", "/v1/accounts", [])).HttpStatus);
            accessKey = appliance.Exchange.Accepted[^1].AccessKey;
            if (accessKey != "rotated-access-key") await Task.Delay(100);
        } while (accessKey != "rotated-access-key" && DateTime.UtcNow < deadline);
        Assert.Equal("rotated-access-key", accessKey);
    }

    [Fact]
    public async Task Removed_credential_is_refused_by_the_running_server()
    {
        await using var appliance = await TestAppliance.StartAsync();
        using var client = appliance.Client();
        await client.SendAsync("GET", "/v1/accounts", []);

        new CredentialProvisioning(appliance.Data, TimeProvider.System).Store.Remove(DemoSetup.CredentialName);

        var deadline = DateTime.UtcNow.AddSeconds(5);
        RpcException? refusal = null;
        while (refusal is null && DateTime.UtcNow < deadline)
        {
            try { await client.SendAsync("GET", "/v1/accounts", []); await Task.Delay(100); }
            catch (RpcException e) { refusal = e; }
        }
        Assert.NotNull(refusal);
        await RpcRefusals.AssertRefused(StatusCode.FailedPrecondition, Reasons.UnknownCredential, () => client.SendAsync("GET", "/v1/accounts", []));
    }
}
