using Appliance.Client;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;

using Grpc.Core;

namespace Appliance.Tests.EndToEnd;

/// <summary>grpc.health.v1 and server reflection are served on the same mTLS port.</summary>
public sealed class HealthAndReflectionTests
{
    [Fact]
    public async Task Health_is_serving_and_follows_the_state()
    {
        await using var appliance = await TestAppliance.StartAsync();
        using var bundle = ApplianceBundle.Load(appliance.BundleDir);
        using var channel = GrpcChannel.ForAddress(appliance.Address, new GrpcChannelOptions { HttpHandler = ApplianceTls.CreateHandler(bundle) });
        var health = new Health.HealthClient(channel);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);

        appliance.Server.State.Paused = true;
        // The health service polls its checks; give it a moment to see the change.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        HealthCheckResponse.Types.ServingStatus status;
        do
        {
            status = (await health.CheckAsync(new HealthCheckRequest())).Status;
            if (status == HealthCheckResponse.Types.ServingStatus.NotServing) break;
            await Task.Delay(100);
        } while (DateTime.UtcNow < deadline);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, status);
    }

    [Fact]
    public async Task Reflection_is_off_unless_the_config_turns_it_on()
    {
        await using (var off = await TestAppliance.StartAsync())
        {
            using var offBundle = ApplianceBundle.Load(off.BundleDir);
            using var offChannel = GrpcChannel.ForAddress(off.Address, new GrpcChannelOptions { HttpHandler = ApplianceTls.CreateHandler(offBundle) });
            using var offCall = new ServerReflection.ServerReflectionClient(offChannel).ServerReflectionInfo();
            // Unimplemented surfaces on the write or on the read, whichever the client reaches first.
            var e = await Assert.ThrowsAsync<RpcException>(async () =>
            {
                await offCall.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
                await offCall.ResponseStream.MoveNext(CancellationToken.None);
            });
            Assert.Equal(StatusCode.Unimplemented, e.StatusCode);
        }

        await using var appliance = await TestAppliance.StartAsync(s => s with { Config = s.Config with { GrpcReflection = true } });
        using var bundle = ApplianceBundle.Load(appliance.BundleDir);
        using var channel = GrpcChannel.ForAddress(appliance.Address, new GrpcChannelOptions { HttpHandler = ApplianceTls.CreateHandler(bundle) });
        using var call = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("appliance.v1.Signer", services);
        Assert.Contains("grpc.health.v1.Health", services);
    }
}
