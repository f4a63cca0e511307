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
        await using var upbit = await FakeUpbitServer.StartAsync();
        const string rotated = "rotated-secret-9876543210zyxwvutsrqponmlkji";
        upbit.AddKey("rotated-access-key", rotated);
        using var client = appliance.Client();

        using (var secret = SecretBytes.TakeFrom(Encoding.UTF8.GetBytes(rotated)))
            new CredentialProvisioning(appliance.Data, TimeProvider.System).Rotate(DemoSetup.CredentialName, "rotated-access-key", null, secret);

        var deadline = DateTime.UtcNow.AddSeconds(5);
        HttpStatusCode status;
        do
        {
            var signed = await client.SignAsync("GET", "/v1/accounts", []);
            using var http = new HttpClient { BaseAddress = upbit.BaseAddress };
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/accounts");
            request.Headers.Authorization = AuthenticationHeaderValue.Parse(signed.Authorization);
            using var response = await http.SendAsync(request);
            status = response.StatusCode;
            if (status != HttpStatusCode.OK) await Task.Delay(100);
        } while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task Removed_credential_is_refused_by_the_running_server()
    {
        await using var appliance = await TestAppliance.StartAsync();
        using var client = appliance.Client();
        await client.SignAsync("GET", "/v1/accounts", []);

        new CredentialProvisioning(appliance.Data, TimeProvider.System).Store.Remove(DemoSetup.CredentialName);

        var deadline = DateTime.UtcNow.AddSeconds(5);
        RpcException? refusal = null;
        while (refusal is null && DateTime.UtcNow < deadline)
        {
            try { await client.SignAsync("GET", "/v1/accounts", []); await Task.Delay(100); }
            catch (RpcException e) { refusal = e; }
        }
        Assert.NotNull(refusal);
        await RpcRefusals.AssertRefused(StatusCode.FailedPrecondition, Reasons.UnknownCredential, () => client.SignAsync("GET", "/v1/accounts", []));
    }
}
